using System.Collections.Concurrent;
using System.Security.Cryptography;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace ProMTA.Delivery.Outbound;

/// <summary>
/// MimeKit's DKIM signer (it keeps doing the canonicalization and the header) with the RSA private-key operation done
/// by the platform's OpenSSL instead of BouncyCastle's managed RSA: that operation is most of the cost of sending a
/// signed message (several milliseconds managed, a fraction of one native), and it was the relay's throughput ceiling.
/// </summary>
internal sealed class NativeRsaDkimSigner : DkimSigner
{
    private readonly byte[] pkcs8;

    // Imported keys, reused: importing the PKCS#8 key (decoding, key checks, blinding setup in OpenSSL) cost more CPU
    // than the signature itself. One key per concurrent signer, because an RSA instance is not documented thread-safe.
    private readonly ConcurrentBag<RSA> keys = [];

    public NativeRsaDkimSigner(byte[] pkcs8, string domain, string selector)
        : base(Org.BouncyCastle.Security.PrivateKeyFactory.CreateKey(pkcs8), domain, selector, DkimSignatureAlgorithm.RsaSha256)
    {
        this.pkcs8 = pkcs8;
        HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed;
        BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed;
    }

    // MimeKit asks for a fresh context per signature, so concurrent sends never share hash or key state.
    protected override ISigner CreateSigningContext() => new Sha256RsaSigner(this);

    private byte[] SignHash(byte[] hash)
    {
        if (!keys.TryTake(out var rsa))
        {
            rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        }
        try
        {
            return rsa.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        finally
        {
            keys.Add(rsa);
        }
    }

    private sealed class Sha256RsaSigner(NativeRsaDkimSigner owner) : ISigner
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public string AlgorithmName => "SHA-256withRSA";

        public void Init(bool forSigning, ICipherParameters parameters) { }

        public void Update(byte input) => hash.AppendData([input]);

        public void BlockUpdate(byte[] input, int inOff, int inLen) => hash.AppendData(input, inOff, inLen);

        public void BlockUpdate(ReadOnlySpan<byte> input) => hash.AppendData(input);

        public int GetMaxSignatureSize() => 512;

        public byte[] GenerateSignature()
        {
            var signature = owner.SignHash(hash.GetHashAndReset());
            hash.Dispose();
            return signature;
        }

        public bool VerifySignature(byte[] signature) => throw new NotSupportedException("signing only");

        public void Reset() => hash.GetHashAndReset();
    }
}
