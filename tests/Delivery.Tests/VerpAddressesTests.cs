using Microsoft.Extensions.Options;
using ProMTA.Delivery.Feedback;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>The signed return paths and tokens: only our key makes one that reads back, whatever the case on the way.</summary>
public sealed class VerpAddressesTests
{
    private static readonly VerpAddresses Verp = New("verp-signing-key-for-delivery-tests-0123456789");

    [Fact]
    public void A_return_path_reads_back_to_its_recipient_even_when_a_server_changed_its_case()
    {
        var address = Verp.ReturnPath(123456789, "customer.test");

        Assert.Matches("^b\\+123456789-[0-9a-f]{16}@customer\\.test$", address);
        Assert.True(Verp.TryReadAddress(address, out var id));
        Assert.Equal(123456789, id);
        Assert.True(Verp.TryReadAddress(address.ToUpperInvariant(), out id));
        Assert.Equal(123456789, id);
        Assert.True(Verp.TryReadToken(Verp.Token(42), out id));
        Assert.Equal(42, id);
    }

    [Theory]
    [InlineData("b+123456789-0123456789abcdef@customer.test")]
    [InlineData("b+123456788-@customer.test")]
    [InlineData("b+-0123456789abcdef@customer.test")]
    [InlineData("b+12x-0123456789abcdef@customer.test")]
    [InlineData("sender@customer.test")]
    [InlineData("")]
    public void A_forged_or_damaged_address_reads_as_nothing(string address)
    {
        Assert.False(Verp.TryReadAddress(address, out _));
    }

    [Fact]
    public void Another_key_s_token_and_a_token_moved_to_another_recipient_read_as_nothing()
    {
        var other = New("an-attacker-s-own-key-0123456789abcdef");
        var token = Verp.Token(7);

        Assert.False(Verp.TryReadToken(other.Token(7), out _));
        Assert.False(Verp.TryReadToken("8" + token[1..], out _));
    }

    [Fact]
    public void Without_a_key_verp_is_off_and_reads_nothing()
    {
        var off = New(null);

        Assert.False(off.Enabled);
        Assert.False(off.TryReadAddress(Verp.ReturnPath(1, "customer.test"), out _));
    }

    private static VerpAddresses New(string? key) => new(Options.Create(new VerpOptions { SigningKey = key }));
}
