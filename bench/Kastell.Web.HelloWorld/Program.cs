// `dotnet new web`, plus a form post to compare Kastell's writing form post with: the same body, read and answered
// with a redirect. The certificate and address come from the command line (Kestrel's own configuration keys), as
// for Kastell, so both serve the same TLS.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

app.MapGet("/", () => "Hello World!");
app.MapPost("/form", async (HttpContext context) =>
{
    var form = await context.Request.ReadFormAsync(context.RequestAborted);
    return Results.Redirect("/?name=" + Uri.EscapeDataString(form["Input.Name"].ToString()));
});

app.Run();
