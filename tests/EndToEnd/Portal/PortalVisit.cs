using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace ProMTA.EndToEnd.Portal;

/// <summary>
/// One person's browser on the portal: a fresh context (its own sessionStorage), a screenshot of every page it checks
/// (TestResults/screenshots in the test output) and an axe scan that fails on serious or critical violations.
/// </summary>
public sealed class PortalVisit(IBrowserContext context, IPage page, string scenario) : IAsyncDisposable
{
    public static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
    public static readonly TimeSpan LiveTimeout = TimeSpan.FromSeconds(120);
    private static readonly string[] FailingImpacts = ["serious", "critical"];

    public const string Password = "correct horse battery";

    public IPage Page => page;

    public static async Task<PortalVisit> OpenAsync(BrowserFixture browser, PlatformFixture platform, string scenario, ViewportSize? viewport = null,
        string? timeZone = null)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            // The gateway's real address in this run (the testing builder randomizes ports); Billing's PortalUrl is the same.
            BaseURL = platform.Gateway.BaseAddress!.ToString().TrimEnd('/'),
            ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-GB",
            TimezoneId = timeZone,
        });
        context.SetDefaultTimeout(30_000);
        SetDefaultExpectTimeout(15_000); // a busy CI machine, the first requests of a cold stack
        var visit = new PortalVisit(context, await context.NewPageAsync(), scenario);
        visit.RecordBrowserEvents();
        return visit;
    }

    private readonly List<string> browserLog = [];

    /// <summary>Console errors, script errors and failed requests, written next to the screenshots when the visit ends.</summary>
    private void RecordBrowserEvents()
    {
        page.Console += (_, message) => { if (message.Type is "error" or "warning") Record($"console {message.Type}: {message.Text}"); };
        page.PageError += (_, error) => Record($"page error: {error}");
        page.Response += (_, response) => { if (response.Status >= 400) Record($"{response.Status} {response.Request.Method} {response.Url}"); };
        page.RequestFailed += (_, request) => Record($"failed {request.Method} {request.Url}: {request.Failure}");
    }

    /// <summary>What <see cref="RecordBrowserEvents"/> saw so far: console errors, script errors, failed requests.</summary>
    public IReadOnlyList<string> BrowserLog
    {
        get { lock (browserLog) return [.. browserLog]; }
    }

    /// <summary>No page of the visit may scroll sideways at its width (1280 px desktop, 390 px phone).</summary>
    public async Task AssertNoSidewaysScrollAsync(string name) =>
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"),
            $"{name} ({page.Url}) scrolls sideways: {await page.EvaluateAsync<int>("document.documentElement.scrollWidth")} px wide in a {page.ViewportSize?.Width} px window");

    private void Record(string line)
    {
        lock (browserLog) browserLog.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {page.Url} {line}");
    }

    /// <summary>Screenshot of the whole page, then the accessibility check (labels, headings, contrast and the rest of WCAG A/AA).</summary>
    public async Task CheckPageAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{scenario}-{name}.png"), FullPage = true });
        var results = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
        });
        var failing = results.Violations.Where(v => FailingImpacts.Contains(v.Impact)).ToList();
        Assert.True(failing.Count == 0, $"{name} ({page.Url}) has accessibility violations:\n" + string.Join("\n",
            failing.Select(v => $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => string.Join(" ", n.Target)))}")));
    }

    /// <summary>Signs up through the form, with the keyboard only.</summary>
    public async Task SignUpWithKeyboardAsync(string email)
    {
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create your account" })).ToBeVisibleAsync();
        await page.GetByLabel("Your name or company").FocusAsync();
        await page.Keyboard.TypeAsync("Portal Visitor Ltd");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(email);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(Password);
        var form = page.Url;
        await page.Keyboard.PressAsync("Enter");
        await LoggedInAsync(form, email);
    }

    public async Task SignUpAsync(string email)
    {
        await page.GotoAsync("/signup");
        await page.GetByLabel("Your name or company").FillAsync("Portal Customer");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Password);
        var form = page.Url;
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await LoggedInAsync(form, email);
    }

    /// <summary>Logs in through the form and waits until the portal has moved on.</summary>
    public async Task LogInAsync(string email, string password)
    {
        await page.GotoAsync("/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        var form = page.Url;
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await LoggedInAsync(form, email, password);
    }

    /// <summary>
    /// Waits until the sign-up or login form has left its page. The gateway limits logins per client IP, and every
    /// test of the run logs in from 127.0.0.1 (one test spends the budget on purpose): a refusal says how long to
    /// wait, as it would to a person, who then logs in again. The form's address is read before the form is sent:
    /// read after, it can already be the page the portal moved on to, and this would wait for a move that happened.
    /// </summary>
    private async Task LoggedInAsync(string form, string email, string password = Password)
    {
        var deadline = DateTime.UtcNow.AddSeconds(150);
        while (DateTime.UtcNow < deadline)
        {
            if (page.Url != form && !page.Url.Contains("/login", StringComparison.Ordinal) && !page.Url.Contains("/signup", StringComparison.Ordinal)) return;
            string error;
            try
            {
                error = await page.EvaluateAsync<string>("document.getElementById('form-error')?.textContent ?? ''");
            }
            catch (PlaywrightException)
            {
                error = ""; // navigating: the next round sees the new page
            }
            var wait = System.Text.RegularExpressions.Regex.Match(error, @"try again in (\d+) s");
            if (wait.Success)
            {
                await Task.Delay(TimeSpan.FromSeconds(int.Parse(wait.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1));
                var next = new Uri(page.Url).Query;
                await page.GotoAsync("/login" + (next.Contains("next=", StringComparison.Ordinal) ? next : ""));
                await page.GetByLabel("Email").FillAsync(email);
                await page.GetByLabel("Password").FillAsync(password);
                form = page.Url;
                await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
            }
            else if (error.Length > 0)
            {
                Assert.Fail($"The form at {page.Url} answered: {error}");
            }
            await Task.Delay(250);
        }
        Assert.Fail($"Still on {page.Url} after signing up or logging in as {email}.");
    }

    /// <summary>A new customer, signed up through the form, orders the Starter plan with a test card.</summary>
    public async Task NewCustomerOrdersAsync(string cardNumber)
    {
        await SignUpAsync($"portal-{Guid.NewGuid():N}@example.test");
        await page.GotoAsync("/order?product=promta-starter");
        await OrderAsync("ProMTA Starter", cardNumber);
    }

    /// <summary>On the order form: optional fields, then Stripe's hosted page with a test card, back to the order's page.</summary>
    public async Task OrderAsync(string productName, string cardNumber, string? sendingDomain = null, string? specialRequirements = null, bool checkPages = false)
    {
        await page.GetByLabel(productName, new() { Exact = false }).CheckAsync();
        if (sendingDomain is not null) await page.GetByLabel("Sending domain (optional)").FillAsync(sendingDomain);
        if (specialRequirements is not null) await page.GetByLabel("Special requirements (optional)").FillAsync(specialRequirements);
        if (checkPages) await CheckPageAsync("order");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Save your card" })).ToBeVisibleAsync();
        Assert.Contains("/c/pay/cs_test_", page.Url);
        await page.GetByLabel("Card number").FillAsync(cardNumber);
        await page.GetByLabel("Expiry (MM / YY)").FillAsync("12 / 34");
        await page.GetByLabel("CVC").FillAsync("123");
        await page.GetByLabel("Name on card").FillAsync("Portal Customer");
        if (checkPages) await CheckPageAsync("stripe-checkout");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save card" }).ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/orders/[0-9a-f-]{36}$"));
    }

    /// <summary>
    /// Waits for the order's status code: data-status (the page shows the status in words), or the text of a page that
    /// shows the bare code, so a test written against a defect reaches its own assertions on the code before the fix.
    /// </summary>
    public async Task WaitForOrderStatusAsync(string status) =>
        await Expect(page.Locator($"#order-status[data-status='{status}'], #order-status:text-is('{status}')"))
            .ToHaveCountAsync(1, new() { Timeout = (float)LiveTimeout.TotalMilliseconds });

    public async ValueTask DisposeAsync()
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        try
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{scenario}-last.png"), FullPage = true });
        }
        catch (PlaywrightException)
        {
            // the page may already be gone; the log still tells what happened
        }
        lock (browserLog) File.WriteAllLines(Path.Combine(ScreenshotDirectory, $"{scenario}-browser.log"), browserLog);
        await context.DisposeAsync();
    }
}
