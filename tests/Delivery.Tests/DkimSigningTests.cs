using System.Security.Cryptography;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using ProMTA.Contracts.Dns;
using ProMTA.Delivery.Consumers;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Security;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

public sealed class DkimSigningTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    internal const string Selector = "pm20261127090000";

    [Fact]
    public async Task Mail_from_the_sending_domain_arrives_with_a_dkim_signature_that_verifies_against_the_published_key()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        var publicKey = await PublishKeyAsync(relay, "customer.test");
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);

        await client.SendAsync(RelayHost.Message("ada@gmail.test", "Signed"));

        var received = await ReceivedAsync(relay);
        var header = Assert.Single(received.Headers, h => h.Id == HeaderId.DkimSignature);
        var tags = header.Value.Split(';').Select(t => t.Trim().Split('=', 2)).Where(t => t.Length == 2)
            .ToDictionary(t => t[0].Trim(), t => string.Concat(t[1].Where(c => !char.IsWhiteSpace(c))));
        Assert.Equal(("rsa-sha256", "relaxed/relaxed", "customer.test", Selector), (tags["a"], tags["c"], tags["d"], tags["s"]));
        // Feedback-ID is ours (per service, for Gmail's feedback loop) and signed, so nobody else can claim our identifiers.
        Assert.Equal(["from", "to", "subject", "date", "message-id", "mime-version", "content-type", "feedback-id", "from"], tags["h"].ToLowerInvariant().Split(':'));
        var verifier = new DkimVerifier(new PublishedKeyLocator("customer.test", Selector, publicKey));
        Assert.True(await verifier.VerifyAsync(received, header));
    }

    [Fact]
    public async Task A_published_key_is_consumed_once_and_signs_the_next_message()
    {
        await using var relay = await RelayHost.StartAsync(postgres,
            services: s => s.AddMassTransitTestHarness(bus => bus.AddConsumer<DkimKeyPublishedConsumer>()));
        var harness = relay.Services.GetRequiredService<ITestHarness>();
        await harness.Start();
        using var rsa = RSA.Create(2048);
        var published = new DkimKeyPublished
        {
            OrderId = Guid.NewGuid(),
            ServiceId = relay.ServiceId,
            Domain = "customer.test",
            Selector = Selector,
            EncryptedPrivateKey = relay.Services.GetRequiredService<DkimKeyProtector>().Protect(rsa.ExportPkcs8PrivateKey(), relay.ServiceId, Selector),
            PublishedAt = DateTimeOffset.UtcNow,
        };
        var messageId = NewId.NextGuid();

        await harness.Bus.Publish(published, c => c.MessageId = messageId);
        await harness.Bus.Publish(published, c => c.MessageId = messageId); // a redelivery
        // The harness lists a message id once; both deliveries are through when the bus goes quiet.
        await RelayHost.EventuallyAsync(() => Task.FromResult(harness.Consumed.Select<DkimKeyPublished>().Any()));
        await harness.InactivityTask.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(harness.Consumed.Select<DkimKeyPublished>(), c => c.Exception is not null);

        Assert.Equal(1, await relay.QuerySingleAsync<int>("SELECT count(*)::int FROM dkim_keys"));
        Assert.Equal(published.EncryptedPrivateKey, await relay.QuerySingleAsync<string>("SELECT private_key_encrypted FROM dkim_keys")); // encrypted at rest
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);
        await client.SendAsync(RelayHost.Message("ada@gmail.test"));
        var received = await ReceivedAsync(relay);
        var verifier = new DkimVerifier(new PublishedKeyLocator("customer.test", Selector, PublicKeyFactory.CreateKey(rsa.ExportSubjectPublicKeyInfo())));
        Assert.True(await verifier.VerifyAsync(received, Assert.Single(received.Headers, h => h.Id == HeaderId.DkimSignature)));
    }

    [Fact]
    public async Task Each_sending_domain_of_a_service_signs_with_its_own_key()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        await relay.Database.WriteAsync(work => SendingDomains.AddAsync(work, relay.ServiceId, "brand.test", SendingDomainSource.Verified, DateTimeOffset.UtcNow));
        var keys = new Dictionary<string, (string Selector, AsymmetricKeyParameter Key)>
        {
            ["customer.test"] = (Selector, await PublishKeyAsync(relay, "customer.test")),
            ["brand.test"] = ("pm20261127090000-2", await PublishKeyAsync(relay, "brand.test", "pm20261127090000-2")),
        };
        using (var client = await relay.ConnectAsync())
        {
            await client.AuthenticateAsync(relay.Username, RelayHost.Password);
            await client.SendAsync(RelayHost.Message("ada@gmail.test", "Customer"));
            var brand = RelayHost.Message("bob@gmail.test", "Brand");
            brand.From.Clear();
            brand.From.Add(MailboxAddress.Parse("news@brand.test"));
            await client.SendAsync(brand);
        }

        await RelayHost.EventuallyAsync(() => Task.FromResult(relay.Mx.Received.Count == 2));
        foreach (var data in relay.Mx.Received.Select(r => r.Data))
        {
            var received = await MimeMessage.LoadAsync(new MemoryStream(data));
            var domain = received.From.Mailboxes.Single().Domain;
            var (selector, key) = keys[domain];
            var header = Assert.Single(received.Headers, h => h.Id == HeaderId.DkimSignature);
            Assert.Contains($"d={domain}", header.Value.Replace(" ", ""));
            Assert.True(await new DkimVerifier(new PublishedKeyLocator(domain, selector, key)).VerifyAsync(received, header), domain);
        }
    }

    [Fact]
    public async Task Mail_from_another_domain_is_not_signed()
    {
        await using var relay = await RelayHost.StartAsync(postgres);
        await PublishKeyAsync(relay, "other-domain.test");
        using var client = await relay.ConnectAsync();
        await client.AuthenticateAsync(relay.Username, RelayHost.Password);

        await client.SendAsync(RelayHost.Message("grace@gmail.test"));

        var received = await ReceivedAsync(relay);
        Assert.DoesNotContain(received.Headers, h => h.Id == HeaderId.DkimSignature);
    }

    /// <summary>What Dns publishes (a fresh 2048-bit key, encrypted under Dkim:EncryptionKey), stored as DkimKeyPublished stores it.</summary>
    internal static async Task<AsymmetricKeyParameter> PublishKeyAsync(RelayHost relay, string domain, string selector = Selector)
    {
        using var rsa = RSA.Create(2048);
        var encrypted = relay.Services.GetRequiredService<DkimKeyProtector>().Protect(rsa.ExportPkcs8PrivateKey(), relay.ServiceId, selector);
        await using (var work = await relay.Database.BeginAsync())
        {
            await DkimKeys.AddAsync(work, relay.ServiceId, selector, domain, encrypted, DateTimeOffset.UtcNow);
            await work.CommitAsync(default);
        }
        return PublicKeyFactory.CreateKey(rsa.ExportSubjectPublicKeyInfo());
    }

    internal static async Task<MimeMessage> ReceivedAsync(RelayHost relay)
    {
        await RelayHost.EventuallyAsync(() => Task.FromResult(relay.Mx.Received.Count > 0));
        using var stream = new MemoryStream(Assert.Single(relay.Mx.Received).Data);
        return await MimeMessage.LoadAsync(stream);
    }

    /// <summary>Answers the selector's TXT record with the key Dns would have published.</summary>
    internal sealed class PublishedKeyLocator(string domain, string selector, AsymmetricKeyParameter key) : IDkimPublicKeyLocator
    {
        public AsymmetricKeyParameter LocatePublicKey(string methods, string domain1, string selector1, CancellationToken cancellationToken = default) =>
            domain1 == domain && selector1 == selector ? key : throw new InvalidOperationException($"no key {selector1}._domainkey.{domain1}");

        public Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain1, string selector1, CancellationToken cancellationToken = default) =>
            Task.FromResult(LocatePublicKey(methods, domain1, selector1, cancellationToken));
    }
}
