namespace ProMTA.MailPolicy.Replies;

/// <summary>Who produced an outcome: only the receiving ISP's own answers may shape the sending rate.</summary>
public enum ReplySource
{
    /// <summary>An SMTP reply from the receiving server.</summary>
    Remote,

    /// <summary>The receiving server could not be reached (refused, timed out, reset, TLS failure on their side).</summary>
    ConnectionFailure,
}
