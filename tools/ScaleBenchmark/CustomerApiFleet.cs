using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using ProMTA.Contracts.Billing;
using ProMTA.Contracts.Ordering;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.Ordering.Accounts;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.ScaleBenchmark;

/// <summary>
/// The customer API at fleet scale (issue 20). <c>api-seed</c> creates CUSTOMERS customers and SERVICES services through
/// the services' own code: Ordering's sign-up repository and order placement (`OrderRepository.TryCreateAsync`, what
/// POST /api/orders runs), Billing's first-month charge (Stripe.net against the emulator) for each OrderPlaced read from
/// Ordering's outbox, and the consumer bodies that follow (Delivery's owner row, Ordering's Paid/Provisioned/Active
/// steps from the PaymentSucceeded rows in Billing's outbox, Delivery's relay account), then MESSAGES messages per
/// service through the relay's queue (`MessageQueue.EnqueueAsync`) claimed and completed as the outbound worker does
/// (`ClaimAsync`/`CompleteAsync`: delivered, some deferred, some bounced), which fills the delivery events and history.
/// <c>api</c> then calls the services started on that database (tools/scripts/scale-benchmark.sh starts Ordering,
/// Billing and Delivery, Release) with the caller header the gateway signs, REQUESTS times per route for random
/// customers, one request at a time, and prints p50/p99 per route.
/// </summary>
public static class CustomerApiFleet
{
    private const int Batch = 500;
    private static readonly string[] RecipientDomains = ["gmail.com", "outlook.com", "yahoo.com", "example.nl"];

    public static async Task<int> SeedAsync(BenchmarkOptions options)
    {
        var clock = Stopwatch.StartNew();
        var now = DateTimeOffset.UtcNow;
        await using var ordering = await ServiceDatabaseHost.StartAsync(options.ConnectionString, "ordering", typeof(OrderRepository).Assembly);
        await using var delivery = await ServiceDatabaseHost.StartAsync(options.ConnectionString, "delivery", typeof(MessageQueue).Assembly);
        await using var billing = await BillingBench.StartAsync(options.ConnectionString);

        var customers = await CreateCustomersAsync(ordering.Db, options.Customers, now);
        Step(clock, $"{customers.Count} customers");
        await PlaceOrdersAsync(ordering.Db, customers, options.Services, now);
        Step(clock, $"{options.Services} orders placed");
        var placed = await TakeOutboxAsync<OrderPlaced>(ordering.Db);
        await billing.ChargeFirstMonthsAsync(placed);
        await ForEachInTransactionAsync(delivery.Db, placed, nameof(ProMTA.Delivery.Consumers.OrderPlacedConsumer),
            (work, order) => ServiceOwners.AddAsync(work, order.ServiceId, order.CustomerId, order.OrderId));
        Step(clock, $"{placed.Count} first months charged, owners known to Delivery");
        await GoLiveAsync(ordering.Db, delivery.Db, await TakeOutboxAsync<PaymentSucceeded>(billing.Db), placed);
        Step(clock, $"{placed.Count} services paid, provisioned and live");
        var messages = await SendMailAsync(delivery.Db, placed, options.Messages, now);
        Step(clock, $"{messages} messages queued, claimed and completed");
        // Fresh statistics for the planner, as autovacuum would have them after a day of this traffic.
        await using var connection = new Npgsql.NpgsqlConnection(options.ConnectionString);
        await connection.OpenAsync();
        await using var analyze = new Npgsql.NpgsqlCommand("ANALYZE", connection);
        await analyze.ExecuteNonQueryAsync();
        return 0;
    }

    private static async Task<IReadOnlyList<CustomerRow>> CreateCustomersAsync(Database db, int count, DateTimeOffset now)
    {
        var repository = new CustomerRepository(db);
        // Hashing 10,000 passwords would measure sign-up, not the fleet: every seeded login shares one real hash.
        var hash = PasswordHasher.Hash("scale benchmark password");
        var links = new AccountLinkIssuer(db, new AccountLinkTokens("scale-benchmark-link-key"), Options.Create(new AccountLinkOptions()), TimeProvider.System);
        var customers = Enumerable.Range(0, count)
            .Select(i => new CustomerRow(Guid.CreateVersion7(), $"customer{i}@scale.test", $"Customer {i}", hash, Roles.Customer)).ToList();
        await Parallel.ForEachAsync(customers, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (customer, ct) =>
        {
            var key = ApiKey.Create();
            await repository.CreateAsync(customer, ApiKey.Hash(key), ApiKey.PrefixOf(key), links.Verification(customer.Id, customer.Email), now, ct);
        });
        return customers;
    }

    /// <summary>What POST /api/orders writes: service i belongs to customer i % CUSTOMERS, ordered over the last 60 days.</summary>
    private static async Task PlaceOrdersAsync(Database db, IReadOnlyList<CustomerRow> customers, int services, DateTimeOffset now)
    {
        var orders = new OrderRepository(db);
        var firstDay = now.AddDays(-60);
        await Parallel.ForEachAsync(Enumerable.Range(0, services), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            var customer = customers[i % customers.Count];
            var at = firstDay.AddSeconds(i * 60.0 * 86400 / services);
            var order = new NewOrder(Guid.CreateVersion7(), Guid.CreateVersion7(), customer.Id, "promta-starter", $"scale-{i}", new byte[32], null, null, at);
            var (created, refusal) = await orders.TryCreateAsync(order, new OrderPlaced
            {
                OrderId = order.OrderId, ServiceId = order.ServiceId, CustomerId = customer.Id, CustomerEmail = customer.Email, CustomerName = customer.Name,
                ProductId = "promta-starter", ProductName = "ProMTA Starter", MonthlyPriceMinor = 14900, Currency = "EUR", DedicatedIps = 1,
                PaymentMethodId = "pm_card_visa", OrderedAt = at,
            }, ct);
            if (!created || refusal is not null) throw new InvalidOperationException($"order {i} not placed: {refusal?.Detail}");
        });
    }

    /// <summary>
    /// The consumers' bodies for the steps after payment, as each service's consumer runs them (inbox row, repository
    /// calls, commit): Ordering marks the order Paid from Billing's PaymentSucceeded, then Provisioned (a server with
    /// one address of 10.0.0.0/8, as Provisioning would report), Delivery creates the relay account with its warm-up,
    /// and Ordering marks the service Active.
    /// </summary>
    private static async Task GoLiveAsync(Database ordering, Database delivery, IReadOnlyList<PaymentSucceeded> payments, IReadOnlyList<OrderPlaced> placed)
    {
        var orderedAt = placed.ToDictionary(o => o.ServiceId, o => o.OrderedAt);
        var indexed = payments.Select((paid, i) => (Paid: paid, Ip: $"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}")).ToList();
        await ForEachInTransactionAsync(ordering, indexed, "PaymentSucceededConsumer", async (work, p) =>
        {
            await OrderRepository.AdvanceAsync(work, p.Paid.OrderId, OrderStatus.Paid, p.Paid.PaidAt, $"Invoice {p.Paid.InvoiceNumber} paid");
            await ServiceRepository.MarkPaidAsync(work, p.Paid.ServiceId, p.Paid.BillingDay, p.Paid.PeriodEnd);
            var provisionedAt = orderedAt[p.Paid.ServiceId].AddMinutes(5);
            await OrderRepository.AdvanceAsync(work, p.Paid.OrderId, OrderStatus.Provisioned, provisionedAt, $"Setup done with IPs {p.Ip}");
            await ServiceRepository.MarkProvisionedAsync(work, p.Paid.ServiceId, [p.Ip], $"mta1.{p.Paid.ServiceId:N}.scale.test", provisionedAt.AddDays(1));
        });
        await ForEachInTransactionAsync(delivery, indexed, "ReverseDnsPropagatedConsumer", async (work, p) =>
        {
            var liveAt = orderedAt[p.Paid.ServiceId].AddMinutes(30);
            await RelayAccounts.CreateAsync(work, p.Paid.ServiceId, p.Paid.OrderId, RelayUsername.For(p.Paid.ServiceId), [p.Ip], [$"mta1.{p.Paid.ServiceId:N}.scale.test"], liveAt);
            await ThrottleState.AddWarmUpsAsync(work, p.Paid.ServiceId, [p.Ip], liveAt);
        });
        await ForEachInTransactionAsync(ordering, indexed, "ServiceActivatedConsumer", async (work, p) =>
        {
            var liveAt = orderedAt[p.Paid.ServiceId].AddMinutes(30);
            await OrderRepository.AdvanceAsync(work, p.Paid.OrderId, OrderStatus.Active, liveAt, $"Live: SMTP user {RelayUsername.For(p.Paid.ServiceId)}");
            await ServiceRepository.MarkActiveAsync(work, p.Paid.ServiceId, RelayUsername.For(p.Paid.ServiceId), liveAt);
        });
    }

    /// <summary>
    /// MESSAGES 1 KB messages per service over the last three days, queued as the relay queues them and completed as the
    /// outbound worker completes them: 95 % delivered, 3 % bounced, 2 % deferred (still queued).
    /// </summary>
    private static async Task<int> SendMailAsync(Database db, IReadOnlyList<OrderPlaced> services, int perService, DateTimeOffset now)
    {
        var body = System.Text.Encoding.ASCII.GetBytes("Subject: scale\r\nFrom: news@scale.test\r\n\r\n" + new string('x', 1000) + "\r\n");
        var random = new Random(20);
        var all = services.SelectMany(s => Enumerable.Range(0, perService).Select(m =>
        {
            var domain = RecipientDomains[random.Next(RecipientDomains.Length)];
            var receivedAt = now.AddSeconds(-random.Next(3 * 86400));
            return new NewMessage(Guid.CreateVersion7(), s.ServiceId, $"news@{s.ServiceId:N}.scale.test", body, "192.0.2.1",
                [new NewRecipient($"reader{m}@{domain}", domain, ProviderOf(domain))], receivedAt, receivedAt.AddDays(5));
        })).ToList();
        foreach (var chunk in all.Chunk(Batch)) await MessageQueue.EnqueueAsync(db, chunk, CancellationToken.None);
        var completed = 0;
        while (await MessageQueue.ClaimAsync(db, now, TimeSpan.FromMinutes(5), transactionalLimit: 0, Batch, CancellationToken.None) is { Count: > 0 } claimed)
        {
            var results = claimed.Select(r => (r, roll: random.Next(100)) switch
            {
                (_, < 95) => new RecipientResult(r.Id, r.ClaimedUntil, "Delivered", "250 2.0.0 OK", r.SourceIps.FirstOrDefault(), false, now, Event: DeliveryEvent.Delivered),
                (_, < 98) => new RecipientResult(r.Id, r.ClaimedUntil, "Bounced", "550 5.1.1 no such user", r.SourceIps.FirstOrDefault(), false, now, Event: DeliveryEvent.Bounced),
                _ => new RecipientResult(r.Id, r.ClaimedUntil, "Queued", "421 4.7.0 try later", r.SourceIps.FirstOrDefault(), true, now.AddDays(1), Event: DeliveryEvent.Deferred),
            }).ToList();
            await MessageQueue.CompleteAsync(db, results, now, CancellationToken.None);
            completed += results.Count;
        }
        return all.Count;
    }

    private static string ProviderOf(string domain) => domain switch
    {
        "gmail.com" => "Gmail",
        "outlook.com" => "Outlook",
        "yahoo.com" => "Yahoo",
        _ => "Other",
    };

    /// <summary>The unsent events of one type in a service's outbox, as the bus would deliver them, marked sent.</summary>
    private static async Task<IReadOnlyList<T>> TakeOutboxAsync<T>(Database db)
    {
        await using var connection = await db.OpenAsync();
        var bodies = await connection.QueryAsync<string>(
            "UPDATE outbox_messages SET sent_at = now() WHERE message_type = @Type AND sent_at IS NULL RETURNING body::text", new { Type = typeof(T).FullName });
        return [.. bodies.Select(b => JsonSerializer.Deserialize<T>(b, JsonSerializerOptions.Web)!)];
    }

    /// <summary>A consumer's frame: its inbox row and its work in one transaction per message, four at a time.</summary>
    private static Task ForEachInTransactionAsync<T>(Database db, IEnumerable<T> items, string consumer, Func<UnitOfWork, T, Task> body) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (item, ct) =>
        {
            await using var work = await db.BeginConsumeAsync(Guid.NewGuid(), consumer, ct)
                ?? throw new InvalidOperationException("a new message id cannot have been handled");
            await body(work, item);
            await work.CommitAsync(ct);
        });

    private static void Step(Stopwatch clock, string what) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds,7:0.0} s  {what}"));
}
