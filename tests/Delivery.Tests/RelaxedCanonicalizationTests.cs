using System.Security.Cryptography;
using System.Text;
using ProMTA.Delivery.Outbound.Dkim;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>DKIM's relaxed canonicalization over raw bytes (RFC 6376 3.4.2, 3.4.4), against the RFC's own examples.</summary>
public sealed class RelaxedCanonicalizationTests
{
    // RFC 6376 3.4.5: the example message.
    private static readonly byte[] Rfc6376Example = Encoding.ASCII.GetBytes(
        "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n");

    [Fact]
    public void The_rfc_example_header_fields_canonicalize_to_lower_case_names_and_unfolded_single_spaced_values()
    {
        var block = HeaderBlock.Parse(Rfc6376Example);

        Assert.Equal(["A", "B"], block.Fields.Select(f => f.Name));
        Assert.Equal("a:X\r\n", Encoding.ASCII.GetString(RelaxedCanonicalization.Header(block.Fields[0].Raw.Span)));
        Assert.Equal("b:Y Z\r\n", Encoding.ASCII.GetString(RelaxedCanonicalization.Header(block.Fields[1].Raw.Span)));
    }

    [Fact]
    public void The_rfc_example_body_hashes_as_its_canonical_form_without_the_trailing_empty_lines()
    {
        var block = HeaderBlock.Parse(Rfc6376Example);

        Assert.Equal(Sha256(" C\r\nD E\r\n"), RelaxedCanonicalization.BodyHash(block.Body.Span));
    }

    [Theory]
    [InlineData("", "")] // RFC 6376 3.4.4 (errata 1384): an empty body stays empty
    [InlineData("\r\n\r\n", "")]
    [InlineData("last line without a break", "last line without a break\r\n")]
    [InlineData("bare\nline feeds\n", "bare\r\nline feeds\r\n")]
    [InlineData("trailing \t \r\n\r\n  \r\nafter blank\r\n", "trailing\r\n\r\n\r\nafter blank\r\n")]
    [InlineData("..dot\r\n.\r\n", "..dot\r\n.\r\n")]
    public void Bodies_hash_as_their_relaxed_form(string body, string canonical)
    {
        Assert.Equal(Sha256(canonical), RelaxedCanonicalization.BodyHash(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void The_empty_body_hash_is_the_one_verifiers_expect()
    {
        Assert.Equal("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", Convert.ToBase64String(RelaxedCanonicalization.BodyHash([])));
    }

    [Fact]
    public void A_header_without_a_body_has_an_empty_body_and_keeps_its_last_field()
    {
        var block = HeaderBlock.Parse("From: a@b.test\r\nSubject: only\r\n"u8.ToArray());

        Assert.Equal(["From", "Subject"], block.Fields.Select(f => f.Name));
        Assert.True(block.Body.IsEmpty);
        Assert.Equal("only", block.Value("subject"));
    }

    private static byte[] Sha256(string canonical) => SHA256.HashData(Encoding.UTF8.GetBytes(canonical));
}
