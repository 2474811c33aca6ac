using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ProMTA.EndToEnd.Telemetry.Otlp;
using ProMTA.TestKit;

namespace ProMTA.EndToEnd.Telemetry;

/// <summary>A span as a service exported it over OTLP; ids in lower-case hex, the parent empty for a root.</summary>
public sealed record ReceivedSpan(
    string Service, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind,
    DateTimeOffset Start, IReadOnlyDictionary<string, string> Attributes);

/// <summary>One value of a gauge or counter as a service exported it.</summary>
public sealed record ReceivedPoint(string Service, string Metric, IReadOnlyDictionary<string, string> Attributes, double Value, DateTimeOffset At);

/// <summary>
/// An OTLP/HTTP (protobuf) collector in the test process: the services export their traces and metrics here as
/// they would to the dashboard or a production collector, and the tests read what arrived.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    public const int SpanKindServer = 2;
    public const int SpanKindClient = 3;
    public const int SpanKindProducer = 4;
    public const int SpanKindConsumer = 5;

    private readonly ConcurrentQueue<ReceivedSpan> spans = new();
    private readonly ConcurrentQueue<ReceivedPoint> points = new();
    private WebApplication? app;

    public Uri Endpoint { get; private set; } = null!;

    public IEnumerable<ReceivedSpan> Spans => spans;

    public IEnumerable<ReceivedPoint> Points => points;

    public async Task StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        app = builder.Build();
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            Collect(ExportTraceServiceRequest.Parser.ParseFrom(await ReadBodyAsync(request)));
            return Protobuf(new ExportTraceServiceResponse());
        });
        app.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            Collect(ExportMetricsServiceRequest.Parser.ParseFrom(await ReadBodyAsync(request)));
            return Protobuf(new ExportMetricsServiceResponse());
        });
        // Logs are accepted and dropped: the tests read traces and metrics only.
        app.MapPost("/v1/logs", () => Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync();
        Endpoint = new Uri($"http://127.0.0.1:{port}");
    }

    public IReadOnlyList<ReceivedSpan> Trace(string traceId) => spans.Where(s => s.TraceId == traceId).ToList();

    private void Collect(ExportTraceServiceRequest request)
    {
        foreach (var resource in request.ResourceSpans)
        {
            var service = ServiceName(resource.Resource);
            foreach (var span in resource.ScopeSpans.SelectMany(s => s.Spans))
            {
                spans.Enqueue(new ReceivedSpan(service, Convert.ToHexStringLower(span.TraceId.Span), Convert.ToHexStringLower(span.SpanId.Span),
                    Convert.ToHexStringLower(span.ParentSpanId.Span), span.Name, span.Kind, FromUnixNanos(span.StartTimeUnixNano),
                    Attributes(span.Attributes)));
            }
        }
    }

    private void Collect(ExportMetricsServiceRequest request)
    {
        foreach (var resource in request.ResourceMetrics)
        {
            var service = ServiceName(resource.Resource);
            foreach (var metric in resource.ScopeMetrics.SelectMany(s => s.Metrics))
            {
                var dataPoints = metric.DataCase switch
                {
                    Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints,
                    Metric.DataOneofCase.Sum => metric.Sum.DataPoints,
                    _ => [],
                };
                foreach (var point in dataPoints)
                {
                    var value = point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;
                    points.Enqueue(new ReceivedPoint(service, metric.Name, Attributes(point.Attributes), value, FromUnixNanos(point.TimeUnixNano)));
                }
            }
        }
    }

    private static string ServiceName(Resource? resource) =>
        resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value.StringValue ?? "";

    private static Dictionary<string, string> Attributes(IEnumerable<KeyValue> attributes) =>
        attributes.GroupBy(a => a.Key).ToDictionary(g => g.Key, g => g.Last().Value?.ValueCase switch
        {
            AnyValue.ValueOneofCase.StringValue => g.Last().Value.StringValue,
            AnyValue.ValueOneofCase.IntValue => g.Last().Value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.BoolValue => g.Last().Value.BoolValue ? "true" : "false",
            AnyValue.ValueOneofCase.DoubleValue => g.Last().Value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => "",
        });

    private static DateTimeOffset FromUnixNanos(ulong nanos) => DateTimeOffset.UnixEpoch.AddTicks((long)(nanos / 100));

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static IResult Protobuf(IMessage message) => Results.Bytes(message.ToByteArray(), "application/x-protobuf");

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }
}
