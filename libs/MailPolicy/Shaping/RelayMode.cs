namespace ProMTA.MailPolicy.Shaping;

/// <summary>Per service (rule 18): managed relays are shaped, unmanaged ones only keep the hard safety caps.</summary>
public enum RelayMode
{
    /// <summary>The controller shapes sending (the default, rule 16).</summary>
    Managed,

    /// <summary>The customer chose full speed: the controller is bypassed.</summary>
    Unmanaged,
}
