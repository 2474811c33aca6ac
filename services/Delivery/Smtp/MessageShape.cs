namespace ProMTA.Delivery.Smtp;

/// <summary>
/// What the engine saw while reading DATA, in the same pass: enough for the size/header/loop limits and for a store to tell
/// cheaply whether the message needs any fix (RFC 6409 8) before parsing it.
/// </summary>
public sealed record MessageShape
{
    public static readonly MessageShape Empty = new();

    public long Size { get; init; }
    public bool TooLarge { get; init; }
    public int HeaderBytes { get; init; }
    public int HeaderCount { get; init; }
    public int ReceivedCount { get; init; }
    public bool HasDate { get; init; }
    public bool HasMessageId { get; init; }
    public int LongestHeaderLine { get; init; }
    public int LongestBodyLine { get; init; }
    /// <summary>A bare CR or LF was turned into CRLF.</summary>
    public bool LineEndingsNormalised { get; init; }

    /// <summary>RFC 5322 2.1.1: no line longer than 998 octets.</summary>
    public const int MaxLineLength = 998;

    public bool NeedsSubmissionFix => !HasDate || !HasMessageId || LongestHeaderLine > MaxLineLength || LongestBodyLine > MaxLineLength;
}
