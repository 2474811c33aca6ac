using Microsoft.Extensions.Options;
using ProMTA.Contracts.Delivery;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Reputation;

namespace ProMTA.Delivery.Reputation;

/// <summary>
/// Polls the configured DNS blocklists for every dedicated IP and sending domain of a live service (issue 20): a new
/// listing is recorded and announced (<see cref="BlocklistListed"/>: Billing tells the customer) and the IP stops
/// sending to the providers that use the list (<see cref="BlockedSources"/>); a listing the list no longer answers is
/// closed and announced the same way. A lookup without a usable answer (timeout, refused) changes nothing.
/// </summary>
public sealed partial class BlocklistWatch(
    Database db, BlocklistLookup lookup, BlockedSources blocked, IOptions<ReputationOptions> options, TimeProvider time, ILogger<BlocklistWatch> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.Blocklists.Count == 0) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CycleAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A database or resolver hiccup costs one cycle; the listings stay as they were.
                LogCycleFailed(ex);
            }
            await Task.Delay(settings.Interval, time, stoppingToken);
        }
    }

    /// <summary>One pass over every subject and list; each distinct (subject, list) is looked up once however many services share it.</summary>
    public async Task CycleAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var subjects = await BlocklistListings.SubjectsAsync(db, ct);
        var lookups = subjects.Select(s => (s.Subject, s.Kind)).Distinct()
            .SelectMany(s => settings.Blocklists.Where(z => z.Kind == s.Kind).Select(z => (s.Subject, Zone: z)))
            .ToList();
        var answers = new System.Collections.Concurrent.ConcurrentDictionary<(string Subject, string Zone), BlocklistAnswer>();
        await Parallel.ForEachAsync(lookups, new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = ct }, async (l, token) =>
            answers[(l.Subject, l.Zone.Name)] = await lookup.CheckAsync(l.Subject, l.Zone, token));

        var open = (await BlocklistListings.OpenAsync(db, ct)).ToDictionary(l => (l.ServiceId, l.Subject, l.Zone));
        var now = time.GetUtcNow();
        foreach (var subject in subjects)
        {
            foreach (var zone in settings.Blocklists.Where(z => z.Kind == subject.Kind))
            {
                var name = zone.Name;
                if (!answers.TryGetValue((subject.Subject, name), out var answer) || answer.Verdict == BlocklistVerdict.Unknown) continue;
                open.TryGetValue((subject.ServiceId, subject.Subject, name), out var listing);
                if (answer.Verdict == BlocklistVerdict.Listed) await ListedAsync(subject, zone, name, answer.Answer, listing, now, ct);
                else if (listing is not null) await DelistedAsync(subject, listing, now, ct);
            }
        }
        blocked.Refresh(await BlocklistListings.OpenAsync(db, ct));
    }

    private async Task ListedAsync(BlocklistSubject subject, BlocklistZone zone, string name, string answer, BlocklistListing? listing, DateTimeOffset now, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        if (listing is not null) await BlocklistListings.SeenAsync(work, listing.Id, answer, now);
        else if (await BlocklistListings.ListedAsync(work, subject, name, answer, now))
        {
            await work.PublishAsync(new BlocklistListed
            {
                ServiceId = subject.ServiceId, CustomerId = subject.CustomerId, Subject = subject.Subject, Kind = subject.Kind, Zone = name,
                Answer = answer, Providers = zone.Providers, ListedAt = now,
            });
            LogListed(subject.Subject, name, subject.ServiceId, answer);
        }
        await work.CommitAsync(ct);
    }

    private async Task DelistedAsync(BlocklistSubject subject, BlocklistListing listing, DateTimeOffset now, CancellationToken ct)
    {
        await using var work = await db.BeginAsync(ct);
        if (await BlocklistListings.DelistedAsync(work, listing.Id, now))
        {
            await work.PublishAsync(new BlocklistDelisted
            {
                ServiceId = subject.ServiceId, CustomerId = subject.CustomerId, Subject = subject.Subject, Kind = subject.Kind, Zone = listing.Zone,
                ListedAt = listing.ListedAt, DelistedAt = now,
            });
            LogDelisted(subject.Subject, listing.Zone, subject.ServiceId);
        }
        await work.CommitAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Subject} is listed by {Zone} (service {ServiceId}): {Answer}")]
    private partial void LogListed(string subject, string zone, Guid serviceId, string answer);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Subject} is no longer listed by {Zone} (service {ServiceId})")]
    private partial void LogDelisted(string subject, string zone, Guid serviceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Blocklist cycle failed")]
    private partial void LogCycleFailed(Exception ex);
}
