using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.ServiceDefaults.Messaging.DeadLetters;

/// <summary>The platform's dead letters for operators: this service's and every peer's (over their <c>/internal/dead-letters</c>).</summary>
public sealed class DeadLetterAdmin(DeadLetterQueues local, ServiceQueues queues, PlatformPeers peers)
{
    public const string InternalPath = "/internal/dead-letters";

    public async Task<DeadLetterReport> ReportAsync(HttpContext caller, CancellationToken ct)
    {
        var own = await local.ListAsync(ct);
        var others = await peers.GatherAsync<DeadLetterQueue>(caller, InternalPath, ct);
        var all = own.Concat(others.Items).OrderBy(q => q.ErrorQueue, StringComparer.Ordinal).ToList();
        return new DeadLetterReport(all.Sum(q => q.Count), all, others.Unavailable, others.PeerErrors);
    }

    /// <summary>Replays by the owning service (queues are named "{service}-{consumer}_error"); null when nobody has it.</summary>
    public async Task<ReplayResult?> ReplayAsync(HttpContext caller, string errorQueue, Guid messageId, CancellationToken ct)
    {
        var service = errorQueue.Split('-', 2)[0];
        if (service == queues.Service) return await local.ReplayAsync(errorQueue, messageId, ct);
        if (!peers.Names.Contains(service)) return null;
        using var response = await peers.SendAsync(caller, service, HttpMethod.Post, ReplayPath(errorQueue, messageId), ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<ReplayResult>(ct);
    }

    public static string ReplayPath(string errorQueue, Guid messageId) =>
        $"{InternalPath}/{Uri.EscapeDataString(errorQueue)}/messages/{messageId}/replay";
}
