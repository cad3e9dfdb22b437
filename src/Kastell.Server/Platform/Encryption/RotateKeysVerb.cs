using System.CommandLine;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Platform.Encryption;

/// <summary>
/// <c>rotate-keys --kek</c>: a new key-encryption key version that re-wraps every data key; <c>rotate-keys --organization
/// SLUG</c>: a new data key for one organization — in use as soon as it is stored; this process then re-encrypts the
/// existing values (running servers keep serving) and shows the progress.
/// </summary>
internal sealed class RotateKeysVerb : CliVerb
{
    private readonly Option<bool> _kek = new("--kek") { Description = "Create a new key-encryption key version and re-wrap every data key with it." };
    private readonly Option<string> _organization = new("--organization") { Description = "New data key for this organization (its slug); re-encrypt its values, then destroy the old key." };

    public override string Name => "rotate-keys";

    public override string Description => "Rotate the key-encryption key (--kek) or one organization's data key (--organization SLUG).";

    public override void Define(Command command)
    {
        command.Options.Add(_kek);
        command.Options.Add(_organization);
        command.Validators.Add(result =>
        {
            if (result.GetValue(_kek) == (result.GetValue(_organization) is not null))
            {
                result.AddError("rotate-keys needs either --kek or --organization SLUG.");
            }
        });
    }

    public override Task<int> RunAsync(CliInvocation invocation) =>
        invocation.Value(_organization) is { } slug ? RotateDataKeyAsync(invocation, slug) : RotateKekAsync(invocation);

    private static async Task<int> RotateKekAsync(CliInvocation invocation)
    {
        var rotation = await invocation.Services.GetRequiredService<KekRotation>().RotateAsync(invocation.CancellationToken);
        await invocation.Output.WriteLineAsync(
            $"Key-encryption key rotated from version {rotation.FromVersions} to {rotation.ToVersion}: {rotation.DataKeysRewrapped} data key(s) and {rotation.DataProtectionKeysRewrapped} data-protection key(s) re-wrapped. Keep version {rotation.FromVersions} until every instance runs with version {rotation.ToVersion}, then destroy it.");
        return 0;
    }

    private static async Task<int> RotateDataKeyAsync(CliInvocation invocation, string slug)
    {
        var services = invocation.Services;
        if (await services.OrganizationIdAsync(slug, invocation.CancellationToken) is not { } organizationId)
        {
            await invocation.Error.WriteLineAsync($"No organization '{slug}'.");
            return 2;
        }

        DataKeyRotationJob job;
        try
        {
            job = await services.GetRequiredService<DataKeyRotation>().RequestAsync(organizationId, invocation.CancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            await invocation.Error.WriteLineAsync(ex.Message);
            return 1;
        }

        await invocation.Output.WriteLineAsync($"New data key for '{slug}' is in use; re-encrypting the existing values (rotation {job.Id}).");
        var done = await invocation.WithProgressAsync($"Re-encrypting '{slug}'", bar =>
            services.GetRequiredService<DataKeyReencryption>().RunAsync(job.Id, organizationId, new Lines(invocation.Output, slug, bar), invocation.CancellationToken));
        await invocation.Output.WriteLineAsync($"'{slug}': {done}");
        return done.CompletedAt is null ? 1 : 0;
    }

    /// <summary>Moves the bar, or writes a line per batch where there is none; on the calling thread, in order.</summary>
    private sealed class Lines(TextWriter output, string slug, CliProgress bar) : IProgress<DataKeyRotationJob>
    {
        public void Report(DataKeyRotationJob value)
        {
            bar.Report(value.RowsDone, value.RowsTotal);
            if (!bar.IsVisible && value.IsPending) // the outcome is written once, at the end
            {
                output.WriteLine($"'{slug}': {value}");
            }
        }
    }
}
