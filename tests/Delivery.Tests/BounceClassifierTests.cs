using ProMTA.Delivery.Domain;
using Xunit;

namespace ProMTA.Delivery.Tests;

public sealed class BounceClassifierTests
{
    [Theory]
    [InlineData(550, "5.1.1 The email account that you tried to reach does not exist.", BounceClass.UserUnknown, true)]
    [InlineData(550, "5.1.10 RESOLVER.ADR.RecipientNotFound", BounceClass.UserUnknown, true)]
    [InlineData(552, "5.2.2 The recipient's inbox is out of storage space", BounceClass.MailboxFull, false)]
    [InlineData(550, "5.1.2 Host unknown, domain not found", BounceClass.Dns, false)]
    [InlineData(554, "5.7.1 Message rejected as spam by Content Filtering", BounceClass.Content, false)]
    [InlineData(550, "5.7.1 Service unavailable; client host blocked using Spamhaus", BounceClass.Policy, false)]
    [InlineData(554, "Transaction failed", BounceClass.Other, false)]
    public void Only_an_unknown_user_suppresses_the_address(int code, string text, string expected, bool suppresses)
    {
        var bounceClass = BounceClassifier.Classify(code, text);
        Assert.Equal(expected, bounceClass);
        Assert.Equal(suppresses, BounceClassifier.Suppresses(bounceClass));
    }
}
