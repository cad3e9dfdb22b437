using System.Text.RegularExpressions;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Tests.Platform.Hosting;

/// <summary>
/// Every limit on a setting is enforced when Kastell starts: the host refuses to start with an
/// <see cref="OptionsValidationException"/> whose message names the full key. <see cref="Refusals"/> is the list of
/// refused settings; <see cref="EveryLimitInTheReadme_HasARefusalCase"/> keeps it in step with the README's table.
/// </summary>
public sealed partial class OptionsValidationTests(SmtpSink mail)
{
    // Secrets set on every host below: no refusal may echo one of them.
    private const string SmtpPassword = "smtp-Secret-4711";
    private const string S3SecretKey = "s3-Secret-4712";
    private const string Pkcs11Pin = "pin-Secret-4713";
    private const string DatabasePassword = "db-Secret-4714";

    // Settings a refusal needs around it (the keys of a switched-off area are only checked when it is switched on).
    private const string S3 = "Kastell:Storage:Backend=S3;Kastell:Storage:S3:ServiceUrl=https://s3.example.org;Kastell:Storage:S3:AccessKey=access";
    private const string Siem = "Kastell:Siem:Enabled=true;Kastell:Siem:Host=localhost";
    private const string Telemetry = "Kastell:Telemetry:Enabled=true;Kastell:Telemetry:OtlpEndpoint=http://localhost:4317";
    private const string Postgres = "Kastell:Database:Provider=Postgres;Kastell:Database:ConnectionString=Host=127.0.0.1;Port=1;Database=kastell;Username=kastell;Password=" + DatabasePassword;
    private const string Pkcs11 = "Kastell:Keys:Provider=Pkcs11;Kastell:Keys:Pkcs11:LibraryPath={library};Kastell:Keys:Pkcs11:TokenLabel=token";

    /// <summary>Key, refused value, the settings around it, and what the message must say.</summary>
    public static readonly TheoryData<string, string, string, string> Refusals = new()
    {
        { "Kastell:DataDirectory", "", "", "Kastell:DataDirectory must not be empty." },
        { "Kastell:Database:Provider", "7", "", "Kastell:Database:Provider must be Sqlite or Postgres." },
        { "Kastell:Database:ConnectionString", "", "Kastell:Database:Provider=Postgres", "Kastell:Database:ConnectionString is required when Kastell:Database:Provider is Postgres." },
        { "Kastell:Database:ConnectionString", "Host=db;Password=" + DatabasePassword + ";Colour=blue", "Kastell:Database:Provider=Postgres", "Kastell:Database:ConnectionString is not a valid PostgreSQL connection string" },
        { "Kastell:Sessions:IdleTimeout", "2.00:00:00", "Kastell:Sessions:AbsoluteTimeout=30.00:00:00", "Kastell:Sessions:IdleTimeout must be between 00:01:00 and 1.00:00:00 (was 2.00:00:00)." },
        { "Kastell:Sessions:IdleTimeout", "00:00:30", "", "Kastell:Sessions:IdleTimeout must be between 00:01:00 and 1.00:00:00 (was 00:00:30)." },
        { "Kastell:Sessions:IdleTimeout", "02:00:00", "Kastell:Sessions:AbsoluteTimeout=01:00:00", "Kastell:Sessions:IdleTimeout (02:00:00) must not exceed Kastell:Sessions:AbsoluteTimeout (01:00:00)." },
        { "Kastell:Sessions:AbsoluteTimeout", "31.00:00:00", "", "Kastell:Sessions:AbsoluteTimeout must be between 00:05:00 and 30.00:00:00 (was 31.00:00:00)." },
        { "Kastell:Sessions:AbsoluteTimeout", "00:04:00", "Kastell:Sessions:IdleTimeout=00:01:00", "Kastell:Sessions:AbsoluteTimeout must be between 00:05:00 and 30.00:00:00 (was 00:04:00)." },
        { "Kastell:Passwords:Pbkdf2Iterations", "1000", "", "Kastell:Passwords:Pbkdf2Iterations must be at least 210000 (was 1000)." },
        { "Kastell:SignIn:GuessesPerHour", "1", "Kastell:SignIn:GuessBurst=1", "Kastell:SignIn:GuessesPerHour must be between 2 and 10000 (was 1)." },
        { "Kastell:SignIn:GuessesPerHour", "10001", "", "Kastell:SignIn:GuessesPerHour must be between 2 and 10000 (was 10001)." },
        { "Kastell:SignIn:GuessBurst", "0", "", "Kastell:SignIn:GuessBurst must be between 1 and 1000 (was 0)." },
        { "Kastell:SignIn:GuessBurst", "100", "", "Kastell:SignIn:GuessBurst (100) must be less than Kastell:SignIn:GuessesPerHour (100)." },
        { "Kastell:RateLimits:AuthenticationPerMinute", "0", "", "Kastell:RateLimits:AuthenticationPerMinute must be at least 1 (was 0)." },
        { "Kastell:ForwardedHeaders:KnownProxies", "10.0.0.5, proxy.example.org", "", "Kastell:ForwardedHeaders:KnownProxies must list IP addresses separated by commas ('proxy.example.org' is none)." },
        { "Kastell:ForwardedHeaders:KnownNetworks", "10.0.0.0/33", "", "Kastell:ForwardedHeaders:KnownNetworks must list networks in CIDR notation such as 10.0.0.0/24, separated by commas ('10.0.0.0/33' is none)." },
        { "Kastell:Api:RequestsPerMinutePerToken", "0", "", "Kastell:Api:RequestsPerMinutePerToken must be between 1 and 1000000 (was 0)." },
        { "Kastell:Api:RequestsPerMinutePerOrganization", "0", "", "Kastell:Api:RequestsPerMinutePerOrganization must be between 1 and 10000000 (was 0)." },
        { "Kastell:Passkeys:ServerDomain", "https://isms.example.com", "", "Kastell:Passkeys:ServerDomain must be a host name" },
        { "Kastell:Keys:Provider", "7", "", "Kastell:Keys:Provider must be File or Pkcs11." },
        { "Kastell:Keys:RotationPollInterval", "00:00:00", "", "Kastell:Keys:RotationPollInterval must be between 00:00:01 and 1.00:00:00 (was 00:00:00)." },
        { "Kastell:Keys:RotationPollInterval", "2.00:00:00", "", "Kastell:Keys:RotationPollInterval must be between 00:00:01 and 1.00:00:00 (was 2.00:00:00)." },
        { "Kastell:Keys:Pkcs11:LibraryPath", "", Pkcs11, "Kastell:Keys:Pkcs11:LibraryPath is required when Kastell:Keys:Provider is Pkcs11." },
        { "Kastell:Keys:Pkcs11:LibraryPath", "/nonexistent/libpkcs11.so", Pkcs11, "Kastell:Keys:Pkcs11:LibraryPath '/nonexistent/libpkcs11.so' does not exist." },
        { "Kastell:Keys:Pkcs11:TokenLabel", "", Pkcs11, "Kastell:Keys:Pkcs11:TokenLabel is required when Kastell:Keys:Provider is Pkcs11." },
        { "Kastell:Keys:Pkcs11:Pin", "", Pkcs11, "Kastell:Keys:Pkcs11:Pin is required when Kastell:Keys:Provider is Pkcs11" },
        { "Kastell:Keys:Pkcs11:KeyLabel", new string('k', 61), Pkcs11, "Kastell:Keys:Pkcs11:KeyLabel must be 1 to 60 characters." },
        { "Kastell:Storage:Backend", "7", "", "Kastell:Storage:Backend must be FileSystem or S3." },
        { "Kastell:Storage:MaxUploadBytes", "0", "", "Kastell:Storage:MaxUploadBytes must be between 1 and 10737418240 (was 0)." },
        { "Kastell:Storage:MaxUploadBytes", "10737418241", "", "Kastell:Storage:MaxUploadBytes must be between 1 and 10737418240 (was 10737418241)." },
        { "Kastell:Storage:Clamd", "http://clamd:3310", "", "Kastell:Storage:Clamd must be unix:/path/to/socket or tcp://host:port." },
        { "Kastell:Storage:ScanTimeout", "00:00:00", "", "Kastell:Storage:ScanTimeout must be between 00:00:01 and 01:00:00 (was 00:00:00)." },
        { "Kastell:Storage:ScanTimeout", "02:00:00", "", "Kastell:Storage:ScanTimeout must be between 00:00:01 and 01:00:00 (was 02:00:00)." },
        { "Kastell:Storage:RescanInterval", "00:00:00.5000000", "", "Kastell:Storage:RescanInterval must be 00:00:00 (off) or between 00:00:01 and 1.00:00:00 (was 00:00:00.5000000)." },
        { "Kastell:Storage:RescanInterval", "2.00:00:00", "", "Kastell:Storage:RescanInterval must be 00:00:00 (off) or between 00:00:01 and 1.00:00:00 (was 2.00:00:00)." },
        { "Kastell:Storage:S3:ServiceUrl", "http://s3.example.org", S3, "Kastell:Storage:S3:ServiceUrl must use https (plain http only to a loopback address)." },
        { "Kastell:Storage:S3:Region", "", S3, "Kastell:Storage:S3:Region is required." },
        { "Kastell:Storage:S3:AccessKey", "", S3, "Kastell:Storage:S3:AccessKey is required." },
        { "Kastell:Storage:S3:SecretKey", " ", S3, "Kastell:Storage:S3:SecretKey is required" },
        { "Kastell:Storage:S3:BucketPrefix", "Kastell_", S3, "Kastell:Storage:S3:BucketPrefix must be 0 to 25 lower-case letters, digits or hyphens, starting with a letter or digit." },
        { "Kastell:Storage:S3:BucketPrefix", new string('k', 26), S3, "Kastell:Storage:S3:BucketPrefix must be 0 to 25 lower-case letters, digits or hyphens, starting with a letter or digit." },
        { "Kastell:Audit:CheckpointInterval", "0", "", "Kastell:Audit:CheckpointInterval must be between 1 and 1000000 (was 0)." },
        { "Kastell:Audit:CheckpointInterval", "1000001", "", "Kastell:Audit:CheckpointInterval must be between 1 and 1000000 (was 1000001)." },
        { "Kastell:Audit:Retention:Interval", "00:00:00", "", "Kastell:Audit:Retention:Interval must be between 00:00:01 and 31.00:00:00 (was 00:00:00)." },
        { "Kastell:Audit:Retention:Interval", "32.00:00:00", "", "Kastell:Audit:Retention:Interval must be between 00:00:01 and 31.00:00:00 (was 32.00:00:00)." },
        { "Kastell:Email:SmtpHost", "", Postgres, "Kastell:Email:SmtpHost is required outside Development." },
        { "Kastell:Email:SmtpPort", "0", "", "Kastell:Email:SmtpPort must be between 1 and 65535 (was 0)." },
        { "Kastell:Email:SmtpPort", "70000", "", "Kastell:Email:SmtpPort must be between 1 and 65535 (was 70000)." },
        { "Kastell:Email:From", "not an address", "", "Kastell:Email:From is not a valid address." },
        { "Kastell:Domains:Resolvers", "192.0.2.53, dns.example.org", "", "Kastell:Domains:Resolvers must list IP addresses with an optional port separated by commas ('dns.example.org' is none)." },
        { "Kastell:SingleSignOn:DiscoveryTimeout", "00:00:00", "", "Kastell:SingleSignOn:DiscoveryTimeout must be between 00:00:01 and 00:01:00 (was 00:00:00)." },
        { "Kastell:SingleSignOn:DiscoveryTimeout", "00:02:00", "", "Kastell:SingleSignOn:DiscoveryTimeout must be between 00:00:01 and 00:01:00 (was 00:02:00)." },
        { "Kastell:Domains:Timeout", "00:00:00", "", "Kastell:Domains:Timeout must be between 00:00:01 and 00:01:00 (was 00:00:00)." },
        { "Kastell:Domains:Timeout", "00:02:00", "", "Kastell:Domains:Timeout must be between 00:00:01 and 00:01:00 (was 00:02:00)." },
        { "Kastell:Domains:RecheckInterval", "00:00:30", "", "Kastell:Domains:RecheckInterval must be 00:00:00 (off) or between 00:01:00 and 30.00:00:00 (was 00:00:30)." },
        { "Kastell:Domains:RecheckInterval", "31.00:00:00", "", "Kastell:Domains:RecheckInterval must be 00:00:00 (off) or between 00:01:00 and 30.00:00:00 (was 31.00:00:00)." },
        { "Kastell:Email:PublicBaseUrl", "http://kastell.example.com", "", "Kastell:Email:PublicBaseUrl must be an absolute https URL without query" },
        { "Kastell:Email:PublicBaseUrl", "", Postgres, "Kastell:Email:PublicBaseUrl is required outside Development." },
        { "Kastell:Email:LinkLifetime", "02:00:00", "", "Kastell:Email:LinkLifetime must be more than 00:00:00 and at most 01:00:00 (was 02:00:00)." },
        { "Kastell:Email:LinkLifetime", "00:00:00", "", "Kastell:Email:LinkLifetime must be more than 00:00:00 and at most 01:00:00 (was 00:00:00)." },
        { "Kastell:Email:InvitationLifetime", "00:04:00", "", "Kastell:Email:InvitationLifetime must be between 00:05:00 and 30.00:00:00 (was 00:04:00)." },
        { "Kastell:Email:InvitationLifetime", "31.00:00:00", "", "Kastell:Email:InvitationLifetime must be between 00:05:00 and 30.00:00:00 (was 31.00:00:00)." },
        { "Kastell:Email:MaxAttempts", "0", "", "Kastell:Email:MaxAttempts must be between 1 and 100 (was 0)." },
        { "Kastell:Email:MaxAttempts", "101", "", "Kastell:Email:MaxAttempts must be between 1 and 100 (was 101)." },
        { "Kastell:Email:FirstRetryDelay", "00:00:00.5000000", "", "Kastell:Email:FirstRetryDelay must be between 00:00:01 and 01:00:00 (was 00:00:00.5000000)." },
        { "Kastell:Email:FirstRetryDelay", "02:00:00", "Kastell:Email:MaxRetryDelay=03:00:00", "Kastell:Email:FirstRetryDelay must be between 00:00:01 and 01:00:00 (was 02:00:00)." },
        { "Kastell:Email:MaxRetryDelay", "2.00:00:00", "", "Kastell:Email:MaxRetryDelay must be between 00:00:01 and 1.00:00:00 (was 2.00:00:00)." },
        { "Kastell:Email:MaxRetryDelay", "00:00:10", "", "Kastell:Email:MaxRetryDelay (00:00:10) must not be less than Kastell:Email:FirstRetryDelay (00:00:30)." },
        { "Kastell:Email:SendTimeout", "00:00:00", "", "Kastell:Email:SendTimeout must be between 00:00:01 and 00:10:00 (was 00:00:00)." },
        { "Kastell:Email:SendTimeout", "00:11:00", "", "Kastell:Email:SendTimeout must be between 00:00:01 and 00:10:00 (was 00:11:00)." },
        { "Kastell:Email:Concurrency", "0", "", "Kastell:Email:Concurrency must be between 1 and 64 (was 0)." },
        { "Kastell:Email:Concurrency", "65", "", "Kastell:Email:Concurrency must be between 1 and 64 (was 65)." },
        { "Kastell:Invitations:PerInviterPerHour", "0", "", "Kastell:Invitations:PerInviterPerHour must be between 1 and 1000 (was 0)." },
        { "Kastell:Invitations:PerInviterPerHour", "1001", "", "Kastell:Invitations:PerInviterPerHour must be between 1 and 1000 (was 1001)." },
        { "Kastell:Invitations:PerOrganizationPerHour", "0", "", "Kastell:Invitations:PerOrganizationPerHour must be between 1 and 10000 (was 0)." },
        { "Kastell:Invitations:PerOrganizationPerHour", "10001", "", "Kastell:Invitations:PerOrganizationPerHour must be between 1 and 10000 (was 10001)." },
        { "Kastell:Siem:Host", "bad host!", Siem, "Kastell:Siem:Host must be a host name or IP address." },
        { "Kastell:Siem:Port", "0", Siem, "Kastell:Siem:Port must be between 1 and 65535 (was 0)." },
        { "Kastell:Siem:Port", "70000", Siem, "Kastell:Siem:Port must be between 1 and 65535 (was 70000)." },
        { "Kastell:Siem:Format", "7", Siem, "Kastell:Siem:Format must be Json or Cef." },
        { "Kastell:Siem:PinnedPublicKeySha256", "abc", Siem, "Kastell:Siem:PinnedPublicKeySha256 must be SHA-256 values in hex" },
        { "Kastell:Siem:CaCertificateFile", "/nonexistent/ca.pem", Siem, "Kastell:Siem:CaCertificateFile could not be loaded" },
        { "Kastell:Siem:ClientCertificateFile", "/nonexistent/client.pem", Siem, "Kastell:Siem:ClientCertificateFile and Kastell:Siem:ClientKeyFile go together." },
        { "Kastell:Siem:BatchSize", "0", Siem, "Kastell:Siem:BatchSize must be between 1 and 10000 (was 0)." },
        { "Kastell:Siem:BatchSize", "10001", Siem, "Kastell:Siem:BatchSize must be between 1 and 10000 (was 10001)." },
        { "Kastell:Siem:PollInterval", "00:00:00.0010000", Siem, "Kastell:Siem:PollInterval must be between 00:00:00.0100000 and 01:00:00 (was 00:00:00.0010000)." },
        { "Kastell:Siem:PollInterval", "02:00:00", Siem, "Kastell:Siem:PollInterval must be between 00:00:00.0100000 and 01:00:00 (was 02:00:00)." },
        { "Kastell:Siem:MaxRetryDelay", "00:00:00.5000000", Siem, "Kastell:Siem:MaxRetryDelay must be between 00:00:01 and 01:00:00 (was 00:00:00.5000000)." },
        { "Kastell:Siem:MaxRetryDelay", "02:00:00", Siem, "Kastell:Siem:MaxRetryDelay must be between 00:00:01 and 01:00:00 (was 02:00:00)." },
        { "Kastell:Logging:Format", "7", "", "Kastell:Logging:Format must be Simple, Json or Systemd." },
        { "Kastell:Telemetry:OtlpEndpoint", "collector:4317", Telemetry, "Kastell:Telemetry:OtlpEndpoint must be an absolute http or https URL." },
        { "Kastell:Telemetry:ServiceName", " ", Telemetry, "Kastell:Telemetry:ServiceName must not be empty." },
    };

    /// <summary>Keys in a README row that documents a limit, but which themselves have none (switches, free text).</summary>
    private static readonly Dictionary<string, string> WithoutLimit = new(StringComparer.Ordinal)
    {
        ["Kastell:Storage:S3:ForcePathStyle"] = "a switch; the row's limit is BucketPrefix's",
        ["Kastell:Audit:Retention:Enabled"] = "a switch; the row's limit is Interval's",
        ["Kastell:Email:Username"] = "free text; the row's limit is SmtpPort's",
        ["Kastell:Email:Password"] = "a secret; the row's limit is SmtpPort's",
        ["Kastell:SingleSignOn:AllowLoopbackHttpIssuers"] = "a switch; the row's limit is DiscoveryTimeout's",
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task SettingOutsideItsLimits_StopsStartUp_NamingTheKey(string key, string value, string around, string expected)
    {
        await using var host = new ConfiguredHost(mail, [.. Secrets(), .. Parse(around), new(key, value)]);

        var error = Assert.Throws<OptionsValidationException>(() => host.Services);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        foreach (var (_, secret) in Secrets())
        {
            Assert.DoesNotContain(secret!, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Verb_WithASettingOutsideItsLimits_RefusesToRun_BeforeTouchingTheDatabase()
    {
        var data = Directory.CreateTempSubdirectory("kastell-verb-").FullName;
        try
        {
            var refused = await MigrateAsync(data, "--Kastell:Sessions:IdleTimeout=2.00:00:00");
            var databaseAfterRefusal = File.Exists(Path.Combine(data, "kastell.db"));
            var migrated = await MigrateAsync(data);

            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("OptionsValidationException", refused.Output, StringComparison.Ordinal);
            Assert.Contains("Kastell:Sessions:IdleTimeout must be between 00:01:00 and 1.00:00:00 (was 2.00:00:00).", refused.Output, StringComparison.Ordinal);
            Assert.False(databaseAfterRefusal);
            Assert.True(migrated.ExitCode == 0, migrated.Output); // the same verb with valid settings runs
            Assert.Contains("Database is up to date.", migrated.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>The <c>migrate</c> verb of the built server, as an operator runs it.</summary>
    private static Task<ProcessRunner.Result> MigrateAsync(string dataDirectory, params string[] settings) =>
        ProcessRunner.RunAsync(
            "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "Kastell.Server.dll"), "migrate", $"--Kastell:DataDirectory={dataDirectory}", "--Logging:LogLevel:Default=Warning", .. settings],
            AppContext.BaseDirectory,
            runAsUser: null,
            TimeSpan.FromMinutes(2));

    [Fact]
    public void EveryLimitInTheReadme_HasARefusalCase()
    {
        var refused = Refusals.Select(row => row.Data.Item1).ToHashSet(StringComparer.Ordinal);
        var rows = ConfigurationTable().ToList();

        var limited = rows.Where(r => DocumentsALimit(r.Meaning)).SelectMany(r => r.Keys).ToList();
        var forgotten = limited.Where(k => !refused.Contains(k) && !WithoutLimit.ContainsKey(k)).ToList();

        Assert.True(rows.Count > 30, $"The README's configuration table was not found ({rows.Count} rows).");
        Assert.Contains("Kastell:Sessions:IdleTimeout", limited);
        Assert.Contains("Kastell:Storage:S3:BucketPrefix", limited);
        Assert.Empty(forgotten);
        Assert.All(WithoutLimit.Keys, k => Assert.Contains(k, limited)); // an exemption for a key that no longer needs one
    }

    /// <summary>A range such as "1 minute … 1 day", "1 to 60", or "at most 25", "at least 1", "minimum 210 000".</summary>
    private static bool DocumentsALimit(string meaning) => LimitPattern().IsMatch(meaning);

    [GeneratedRegex(@"\d[^|…`]*…\s*\d|\b\d+ to \d|\b(at most|at least|minimum|maximum|between) \d")]
    private static partial Regex LimitPattern();

    /// <summary>The rows of the README's configuration table: the keys of the first column (<c>`A` / `B`</c>, <c>`A` / `:B`</c>) and the meaning.</summary>
    private static IEnumerable<(List<string> Keys, string Meaning)> ConfigurationTable()
    {
        foreach (var line in File.ReadLines(Path.Combine(RepositoryRoot(), "README.md")))
        {
            var cells = line.Split(" | ");
            if (cells.Length < 3 || !cells[0].StartsWith("| `Kastell:", StringComparison.Ordinal))
            {
                continue;
            }

            var names = cells[0].TrimStart('|', ' ').Split(" / ").Select(n => n.Trim('`')).ToList();
            var first = names[0];
            var parent = first[..first.LastIndexOf(':')];
            var keys = names.Select((n, i) => i == 0 ? n : n.StartsWith(':') ? parent + n : parent + ":" + n).ToList();
            yield return (keys, string.Join(" | ", cells.Skip(2)));
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Kastell.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Kastell.slnx not found above the test binary.");
    }

    private static IEnumerable<KeyValuePair<string, string?>> Secrets() =>
    [
        new("Kastell:Email:Password", SmtpPassword),
        new("Kastell:Storage:S3:SecretKey", S3SecretKey),
        new("Kastell:Keys:Pkcs11:Pin", Pkcs11Pin),
    ];

    /// <summary><c>Key=Value;Key=Value</c>; a connection string's own pairs stay with its key (keys start with <c>Kastell:</c>).</summary>
    private static IEnumerable<KeyValuePair<string, string?>> Parse(string settings)
    {
        var library = typeof(OptionsValidationTests).Assembly.Location; // any file that exists: no PKCS#11 call is made
        string? key = null;
        var value = "";
        foreach (var part in settings.Replace("{library}", library, StringComparison.Ordinal).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("Kastell:", StringComparison.Ordinal))
            {
                if (key is not null)
                {
                    yield return new(key, value);
                }

                (key, value) = (part[..part.IndexOf('=')], part[(part.IndexOf('=') + 1)..]);
            }
            else
            {
                value += ";" + part;
            }
        }

        if (key is not null)
        {
            yield return new(key, value);
        }
    }

    private sealed class ConfiguredHost(SmtpSink mail, IEnumerable<KeyValuePair<string, string?>> settings) : SqliteHost(mail)
    {
        protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => settings;
    }
}
