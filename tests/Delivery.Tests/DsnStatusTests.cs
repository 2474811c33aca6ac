using ProMTA.Delivery.Dsn;
using Xunit;

namespace ProMTA.Delivery.Tests;

public sealed class DsnStatusTests
{
    [Theory]
    [InlineData("550 5.1.1 The email account that you tried to reach does not exist.", false, "5.1.1", "550 5.1.1 The email account that you tried to reach does not exist.")]
    [InlineData("554 Transaction failed", false, "5.0.0", "554 Transaction failed")]
    [InlineData("550 4.4.1 Not connected", false, "5.0.0", "550 4.4.1 Not connected")] // a 5xx reply never reports a transient status
    [InlineData("451 4.7.1 Greylisted (no delivery within 3.00:00:00)", true, "4.4.7", "451 4.7.1 Greylisted")]
    public void A_failed_recipient_reports_the_replys_enhanced_status_or_its_class(string reply, bool expired, string status, string diagnostic)
    {
        var recipient = new FailedRecipient("someone@gmail.test", reply, expired, DateTimeOffset.UtcNow);
        Assert.Equal(status, DeliveryStatusNotification.StatusOf(recipient));
        Assert.Equal(diagnostic, DeliveryStatusNotification.RemoteReply(recipient));
    }
}
