using System.Reflection;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Localization;
using Kastell.Server.Tests.Architecture;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Http;

/// <summary>Every failure a command can return has a unique, documented code and a text in both languages.</summary>
public sealed class ErrorCodeTests
{
    private static readonly List<Failure> Defined = [.. typeof(Program).Assembly.GetTypes()
        .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
        .Where(f => f.FieldType == typeof(Failure))
        .Select(f => (Failure)f.GetValue(null)!)];

    [Fact]
    public void EveryFailure_HasAUniqueCode_DocumentedInErrorCodesMd_AndAText()
    {
        Assert.Contains(Failures.NotFound, Defined);
        var documented = File.ReadAllText(Path.Combine(ArchitectureTests.RepositoryRoot(), "docs", "error-codes.md"));
        var texts = new TsvStringLocalizer().Texts;
        Assert.Equal(Defined.Count, Defined.Select(f => f.Code).Distinct(StringComparer.Ordinal).Count());
        Assert.All(Defined, f =>
        {
            Assert.Matches("^[a-z]+([.-][a-z]+)*$", f.Code);
            Assert.Contains($"| `{f.Code}` | {f.Status} |", documented, StringComparison.Ordinal);
            Assert.True(texts.ContainsKey(f.TextKey), $"{f.Code}: no text {f.TextKey}");
        });
    }
}

/// <summary>The one mapping from a failure to HTTP: problem details for JSON clients, a bare status for a browser's form.</summary>
public sealed class FailureResultTests
{
    [Fact]
    public async Task ApiCaller_GetsProblemDetails_WithCodeAndLocalizedTitle()
    {
        var (status, contentType, body) = await ExecuteAsync("/api/v1/o/acme/things/1", accept: null, culture: "de");
        Assert.Equal(404, status);
        Assert.Equal("application/problem+json", contentType);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal("not-found", json.RootElement.GetProperty("code").GetString());
        Assert.Equal(FailureResults.TypeBase + "not-found", json.RootElement.GetProperty("type").GetString());
        Assert.Equal("Nicht gefunden", json.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task FormPost_GetsTheBareStatus_ForTheLocalizedErrorPage()
    {
        var (status, _, body) = await ExecuteAsync("/o/acme/members/invitations/1/revoke", accept: "text/html", culture: "en");
        Assert.Equal(403, status);
        Assert.Empty(body);
    }

    private static async Task<(int Status, string? ContentType, string Body)> ExecuteAsync(string path, string? accept, string culture)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddProblemDetails()
            .AddSingleton<Microsoft.Extensions.Localization.IStringLocalizer<Strings>, TsvStringLocalizer>()
            .BuildServiceProvider();
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = services };
        context.Request.Path = path;
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }

        context.Response.Body = new MemoryStream();
        var failure = path.StartsWith("/api", StringComparison.Ordinal) ? Failures.NotFound : Failures.NotAllowed;
        var previous = System.Globalization.CultureInfo.CurrentUICulture;
        System.Globalization.CultureInfo.CurrentUICulture = new(culture);
        try
        {
            await failure.ToHttpResult(context).ExecuteAsync(context);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = previous;
        }

        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, context.Response.ContentType, await new StreamReader(context.Response.Body).ReadToEndAsync(TestContext.Current.CancellationToken));
    }
}
