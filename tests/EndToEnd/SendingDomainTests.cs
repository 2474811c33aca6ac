using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DnsClient;
using MassTransit;
using DnsClient.Protocol;
using Xunit;

namespace ProMTA.EndToEnd;

/// <summary>
/// Issue 14 through the gateway: a sending domain belongs to whoever proves it (claims refused at order time, with
/// nothing written), a declined order frees its domain, and a service sends only as itself.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SendingDomainTests(PlatformFixture platform)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Every_kind_of_domain_a_customer_may_not_claim_is_refused_with_its_reason_and_nothing_is_written()
    {
        var victim = await Customer.SignUpAsync(platform.Gateway);
        var apex = $"v{Guid.NewGuid():N}"[..14] + ".test";
        var shop = "shop." + apex;
        using (var placed = await PlaceAsync(victim, shop, "pm_card_visa"))
        {
            Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        }

        var attacker = await Customer.SignUpAsync(platform.Gateway);
        var refusals = new (string Domain, HttpStatusCode Status, string Reason)[]
        {
            (shop, HttpStatusCode.Conflict, "already claimed"),
            ("SHOP." + apex.ToUpperInvariant() + ".", HttpStatusCode.Conflict, "already claimed"),
            (apex, HttpStatusCode.Conflict, "contains"),
            ("mail." + shop, HttpStatusCode.Conflict, "below"),
            ("promta.local", HttpStatusCode.UnprocessableEntity, "platform"),
            ("ns1.promta.local", HttpStatusCode.UnprocessableEntity, "platform"),
            ("mta1.s1.promta.local", HttpStatusCode.UnprocessableEntity, "platform"),
            ("1.0.127.in-addr.arpa", HttpStatusCode.UnprocessableEntity, "reverse"),
            ("8.b.d.0.1.0.0.2.ip6.arpa", HttpStatusCode.UnprocessableEntity, "reverse"),
            ("co.uk", HttpStatusCode.UnprocessableEntity, "public suffix"),
            ("github.io", HttpStatusCode.UnprocessableEntity, "public suffix"),
            ("192.0.2.1", HttpStatusCode.UnprocessableEntity, "IP address"),
            ("[2001:db8::1]", HttpStatusCode.UnprocessableEntity, "IP address"),
            ("localhost", HttpStatusCode.UnprocessableEntity, "single label"),
            ("xn--zz.test", HttpStatusCode.UnprocessableEntity, "not a valid"),
            ("bad_name.test", HttpStatusCode.UnprocessableEntity, "not a valid"),
        };
        foreach (var (domain, status, reason) in refusals)
        {
            using var refused = await PlaceAsync(attacker, domain, "pm_card_visa");
            Assert.True(status == refused.StatusCode, $"{domain}: {refused.StatusCode} {await refused.Content.ReadAsStringAsync()}");
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        }

        // Nothing half-written: no order, no service, and the victim's zone has no stranger's records in it.
        Assert.Equal(0, (await attacker.GetJsonAsync("/api/orders")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await attacker.GetJsonAsync("/api/services")).GetProperty("total").GetInt32());
        var resolver = new LookupClient(new LookupClientOptions(new IPEndPoint(IPAddress.Loopback, platform.DnsPort)) { UseCache = false });
        Assert.Empty((await resolver.QueryAsync("mail." + shop, QueryType.SOA)).Answers.OfType<SoaRecord>());
        Assert.NotEmpty((await resolver.QueryAsync("promta.local", QueryType.SOA)).Answers.OfType<SoaRecord>());

        // An internationalized name is claimed in its A-label form; a sibling of the victim's domain is anyone's.
        using var idn = await PlaceAsync(attacker, $"bücher-{Guid.NewGuid():N}"[..16] + ".test", "pm_card_visa");
        Assert.Equal(HttpStatusCode.Created, idn.StatusCode);
        using var sibling = await PlaceAsync(attacker, "blog." + apex, "pm_card_visa");
        Assert.Equal(HttpStatusCode.Created, sibling.StatusCode);
    }

    [Fact]
    public async Task A_declined_first_charge_releases_the_domain_for_the_next_customer()
    {
        var first = await Customer.SignUpAsync(platform.Gateway);
        var domain = $"d{Guid.NewGuid():N}"[..14] + ".test";
        using var placed = await PlaceAsync(first, domain, "pm_card_chargeDeclined");
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var orderId = (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();

        var order = await first.WaitForAsync($"/api/orders/{orderId}",
            o => o.GetProperty("timeline").EnumerateArray().Any(e => e.GetProperty("status").GetString() == "SendingDomainReleased"), Timeout);
        Assert.Equal("PaymentFailed", order.GetProperty("status").GetString());

        var next = await Customer.SignUpAsync(platform.Gateway);
        using var claimed = await PlaceAsync(next, domain, "pm_card_visa");
        Assert.Equal(HttpStatusCode.Created, claimed.StatusCode);
    }

    [Fact]
    public async Task A_rejected_special_order_releases_its_domain()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var domain = $"r{Guid.NewGuid():N}"[..14] + ".test";
        using var placed = await customer.PlaceOrderAsync(new
        {
            productId = "promta-starter", paymentMethodId = "pm_card_visa", sendingDomain = domain, specialRequirements = "A rack of our own",
        }, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var orderId = (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();
        await customer.WaitForOrderStatusAsync(orderId, "InReview", Timeout);
        using (var rejected = await platform.SendAsStaffAsync(HttpMethod.Post, $"/api/admin/orders/{orderId}/review", new { decision = "reject", reason = "No racks" }))
        {
            Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        }

        await customer.WaitForAsync($"/api/orders/{orderId}",
            o => o.GetProperty("timeline").EnumerateArray().Any(e => e.GetProperty("status").GetString() == "SendingDomainReleased"), Timeout);
        var next = await Customer.SignUpAsync(platform.Gateway);
        using var claimed = await PlaceAsync(next, domain, "pm_card_visa");
        Assert.Equal(HttpStatusCode.Created, claimed.StatusCode);
    }

    [Fact]
    public async Task A_service_sends_as_its_verified_domain_and_a_foreign_sender_gets_550_5_7_1_from_smtplib()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var domain = $"s{Guid.NewGuid():N}"[..14] + ".test";
        using var placed = await PlaceAsync(customer, domain, "pm_card_visa");
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var created = await placed.Content.ReadFromJsonAsync<JsonElement>();
        var serviceId = created.GetProperty("serviceId").GetGuid();
        await customer.WaitForOrderStatusAsync(created.GetProperty("orderId").GetGuid(), "Active", Timeout);
        var dns = await customer.WaitForAsync($"/api/services/{serviceId}/dns", d => d.GetProperty("domainStatus").GetString() == "verified", Timeout);
        Assert.Contains("ns1.promta.local", dns.GetProperty("instructions").GetString());
        using var rotated = await customer.PostAsync($"/api/services/{serviceId}/smtp-password");
        var login = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        var (user, password) = (login.GetProperty("username").GetString()!, login.GetProperty("password").GetString()!);

        // Delivery learns the verified domain from the same event as the timeline: wait until it accepts the service's own sender.
        var deadline = DateTime.UtcNow + Timeout;
        string own;
        while ((own = await SmtplibAsync(user, password, $"news@{domain}", $"News <news@{domain}>")).StartsWith("550", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }
        Assert.StartsWith("250", own);
        Assert.StartsWith("250", await SmtplibAsync(user, password, $"bounces@mail.{domain}", $"news@{domain}"));

        var envelope = await SmtplibAsync(user, password, "ceo@bank.test", "ceo@bank.test");
        Assert.StartsWith("550 5.7.1 Sender address not allowed for this service", envelope);
        Assert.EndsWith("(MAIL)", envelope);
        var header = await SmtplibAsync(user, password, $"news@{domain}", "Security <security@bank.test>");
        Assert.Equal("550 5.7.1 Sender address not allowed for this service (DATA)", header);

        // The domains API: the verified domain with its selector, conflicts 409, another customer 404, removal stops sending.
        var path = $"/api/services/{serviceId}/domains";
        var listed = Assert.Single((await customer.GetJsonAsync(path)).GetProperty("items").EnumerateArray());
        Assert.Equal((domain, "verified"), (listed.GetProperty("domain").GetString(), listed.GetProperty("status").GetString()));
        Assert.StartsWith("pm", listed.GetProperty("dkimSelector").GetString());
        Assert.Equal("none", listed.GetProperty("dmarcPolicy").GetString());
        Assert.Contains("quarantine or reject", listed.GetProperty("dmarcNotice").GetString());

        // DMARC chosen by the customer: published in PowerDNS and shown live.
        using (var chosen = await customer.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"{path}/{domain}")
        {
            Content = JsonContent.Create(new { dmarcPolicy = "reject" }),
        }))
        {
            Assert.Equal(HttpStatusCode.OK, chosen.StatusCode);
        }
        using (var wrong = await customer.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"{path}/{domain}") { Content = JsonContent.Create(new { dmarcPolicy = "block" }) }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }
        await customer.WaitForAsync($"/api/services/{serviceId}/dns", d => d.GetProperty("records").EnumerateArray().Any(r =>
            r.GetProperty("name").GetString() == $"_dmarc.{domain}." && r.GetProperty("value").GetString()!.Contains("p=reject") && r.GetProperty("live").GetBoolean()), Timeout);

        // A second domain on the same service: pending, then verified with a selector of its own, and the relay sends as it.
        var second = "other-" + domain;
        using (var added = await customer.PostAsync(path, new { domain = second }))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }
        using (var again = await customer.PostAsync(path, new { domain = second }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }
        var both = await customer.WaitForAsync(path, d => d.GetProperty("items").EnumerateArray().Count(i => i.GetProperty("status").GetString() == "verified"
            && i.GetProperty("dkimSelector").ValueKind == JsonValueKind.String) == 2, Timeout);
        Assert.Equal(2, both.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("dkimSelector").GetString()).Distinct().Count());
        deadline = DateTime.UtcNow + Timeout;
        string asSecond;
        while ((asSecond = await SmtplibAsync(user, password, $"news@{second}", $"news@{second}")).StartsWith("550", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }
        Assert.StartsWith("250", asSecond);
        using (var removedSecond = await customer.DeleteAsync($"{path}/{second}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removedSecond.StatusCode);
        }
        var stranger = await Customer.SignUpAsync(platform.Gateway);
        using (var hidden = await stranger.GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        }
        using (var notTheirs = await stranger.PostAsync(path, new { domain = "x." + domain }))
        {
            Assert.Equal(HttpStatusCode.NotFound, notTheirs.StatusCode);
        }
        using (var removed = await customer.DeleteAsync($"{path}/{domain}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }
        Assert.Equal(0, (await customer.GetJsonAsync(path)).GetProperty("total").GetInt32());
        deadline = DateTime.UtcNow + Timeout;
        while ((own = await SmtplibAsync(user, password, $"news@{domain}", $"news@{domain}")).StartsWith("250", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }
        Assert.StartsWith("550 5.7.1 Sender address not allowed for this service", own);

        // Added again on the live service: pending, shown with what to set, then verified by the delegation check.
        using (var added = await customer.PostAsync(path, new { domain }))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            var pending = await added.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("pending", pending.GetProperty("status").GetString());
            Assert.Contains("ns1.promta.local", pending.GetProperty("instructions").GetString());
        }
        await customer.WaitForAsync(path, d => d.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("status").GetString() == "verified"), Timeout);
    }

    [Fact]
    public async Task Decommissioning_a_service_removes_only_its_own_records_and_keeps_the_neighbours_and_the_platform_zones()
    {
        var (gone, goneService, goneOrder, goneDomain) = await LiveServiceWithDomainAsync();
        var (neighbour, neighbourService, _, neighbourDomain) = await LiveServiceWithDomainAsync();
        var goneRecords = (await gone.GetJsonAsync($"/api/services/{goneService}/dns")).GetProperty("records").EnumerateArray().ToList();
        var before = (await neighbour.GetJsonAsync($"/api/services/{neighbourService}/dns")).GetProperty("records").EnumerateArray().ToList();
        Assert.Contains(goneRecords, r => r.GetProperty("type").GetString() == "PTR");
        var goneIps = goneRecords.Where(r => r.GetProperty("type").GetString() == "PTR").Select(r => r.GetProperty("name").GetString()!).ToList();

        // Provisioning's event for a decommissioned server, put on Dns's queue as the broker would deliver it.
        await SendToDnsAsync(new Contracts.Provisioning.ServerDecommissioned
        {
            OrderId = goneOrder, ServiceId = goneService, Ips = [], DecommissionedAt = DateTimeOffset.UtcNow,
        });

        await gone.WaitForAsync($"/api/services/{goneService}/dns", d => d.GetProperty("records").GetArrayLength() == 0, Timeout);
        var resolver = new LookupClient(new LookupClientOptions(new IPEndPoint(IPAddress.Loopback, platform.DnsPort)) { UseCache = false });
        foreach (var ptr in goneIps) Assert.Empty((await resolver.QueryAsync(ptr, QueryType.PTR)).Answers.OfType<PtrRecord>());
        Assert.Empty((await resolver.QueryAsync(goneDomain + ".", QueryType.TXT)).Answers.OfType<TxtRecord>());
        var after = (await neighbour.GetJsonAsync($"/api/services/{neighbourService}/dns")).GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(before.Count, after.Count);
        Assert.All(after, r => Assert.True(r.GetProperty("live").GetBoolean(), $"{r} of the neighbour {neighbourDomain} is still live"));
        Assert.NotEmpty((await resolver.QueryAsync("promta.local", QueryType.SOA)).Answers.OfType<SoaRecord>());
    }

    private async Task<(Customer Customer, Guid ServiceId, Guid OrderId, string Domain)> LiveServiceWithDomainAsync()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var domain = $"n{Guid.NewGuid():N}"[..14] + ".test";
        using var placed = await PlaceAsync(customer, domain, "pm_card_visa");
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var created = await placed.Content.ReadFromJsonAsync<JsonElement>();
        var (orderId, serviceId) = (created.GetProperty("orderId").GetGuid(), created.GetProperty("serviceId").GetGuid());
        await customer.WaitForOrderStatusAsync(orderId, "Active", Timeout);
        await customer.WaitForAsync($"/api/services/{serviceId}/dns", d => d.GetProperty("domainStatus").GetString() == "verified"
            && d.GetProperty("records").EnumerateArray().Any(r => r.GetProperty("type").GetString() == "MX")
            && d.GetProperty("records").EnumerateArray().All(r => r.GetProperty("live").GetBoolean()), Timeout);
        return (customer, serviceId, orderId, domain);
    }

    private async Task SendToDnsAsync<T>(T message) where T : class
    {
        var broker = new Uri(await platform.ConnectionStringAsync("rabbitmq"));
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(broker, host =>
        {
            var user = broker.UserInfo.Split(':', 2);
            host.Username(Uri.UnescapeDataString(user[0]));
            host.Password(Uri.UnescapeDataString(user[1]));
        }));
        await bus.StartAsync();
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:dns-server-decommissioned"));
            await endpoint.Send(message, context => context.MessageId = Guid.NewGuid());
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    private static Task<HttpResponseMessage> PlaceAsync(Customer customer, string domain, string card) =>
        customer.PlaceOrderAsync(new { productId = "promta-starter", paymentMethodId = card, sendingDomain = domain }, Guid.NewGuid().ToString());

    /// <summary>
    /// Python's smtplib, as a customer's script would submit: "250 ..." when queued, else "code text (MAIL|DATA)" naming
    /// the command the relay refused.
    /// </summary>
    private async Task<string> SmtplibAsync(string user, string password, string mailFrom, string fromHeader)
    {
        const string script = """
            import smtplib, sys
            port, user, password, mail_from, from_header = sys.argv[1:6]
            message = f"From: {from_header}\r\nTo: ada@gmail.test\r\nSubject: smtplib\r\n\r\nHello.\r\n"
            with smtplib.SMTP("127.0.0.1", int(port), timeout=30) as smtp:
                smtp.login(user, password)
                code, text = smtp.mail(mail_from)
                if code != 250:
                    print(f"{code} {text.decode()} (MAIL)"); sys.exit(0)
                smtp.rcpt("ada@gmail.test")
                try:
                    code, text = smtp.data(message.encode())
                except smtplib.SMTPDataError as refused:
                    code, text = refused.smtp_code, refused.smtp_error
                print(f"{code} {text.decode()}" + ("" if code == 250 else " (DATA)"))
            """;
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", script, platform.SmtpPort.ToString(), user, password, mailFrom, fromHeader }) start.ArgumentList.Add(arg);
        using var python = Process.Start(start)!;
        var output = python.StandardOutput.ReadToEndAsync();
        var error = python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync();
        Assert.True(python.ExitCode == 0, await error);
        return (await output).Trim();
    }
}
