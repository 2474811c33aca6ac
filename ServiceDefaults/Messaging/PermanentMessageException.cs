namespace ProMTA.ServiceDefaults.Messaging;

/// <summary>
/// A message that can never succeed (bad data, a broken invariant): not retried, moved straight to the
/// endpoint's _error queue where operators see and can replay it.
/// </summary>
public sealed class PermanentMessageException(string message) : Exception(message);
