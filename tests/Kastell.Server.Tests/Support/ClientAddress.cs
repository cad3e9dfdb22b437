using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Support;

/// <summary>
/// The in-memory test server has no peer address; a test client names the one it "connects from" in a header, and a
/// startup filter (first in the pipeline, before the forwarded-headers middleware) makes it the connection's address.
/// </summary>
public static class ClientAddress
{
    public const string Header = "X-Test-Client-Address";

    public static void Enable(IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, FromHeader>());

    /// <summary>Every later request of <paramref name="browser"/> comes from <paramref name="address"/>.</summary>
    public static void MoveTo(TestBrowser browser, string address)
    {
        browser.Client.DefaultRequestHeaders.Remove(Header);
        browser.Client.DefaultRequestHeaders.Add(Header, address);
    }

    /// <summary>Every later request of <paramref name="browser"/> carries <c>X-Forwarded-For: <paramref name="forwardedFor"/></c>.</summary>
    public static void ForwardFor(TestBrowser browser, string forwardedFor)
    {
        browser.Client.DefaultRequestHeaders.Remove("X-Forwarded-For");
        browser.Client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
    }

    private sealed class FromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[Header].ToString(), out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
