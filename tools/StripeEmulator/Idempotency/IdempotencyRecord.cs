namespace StripeEmulator.Idempotency;

/// <summary>
/// One idempotency key's first request: the parameters it was used with and, once the request
/// has run, its response. Concurrent duplicates await <see cref="Response"/> instead of running.
/// </summary>
public sealed class IdempotencyRecord(string fingerprint, DateTimeOffset createdAt)
{
    private readonly TaskCompletionSource<StoredResponse> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Fingerprint { get; } = fingerprint;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public Task<StoredResponse> Response => _response.Task;

    public void Complete(StoredResponse response) => _response.TrySetResult(response);
}
