using ProMTA.Ports;

namespace ProMTA.TestKit;

public static class FreePort
{
    /// <summary>A port free for both TCP and UDP on 127.0.0.1, never handed out twice by this process (eng/shared/PortPicker.cs).</summary>
    public static int Next() => PortPicker.Next();
}
