using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Kastell.Server.Platform.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.FileProviders;

// One file, two ways over the same Kestrel instance on loopback HTTP, downloaded alternately in the same run:
//   /plain.bin  Kestrel's static-file middleware serving the plaintext (the baseline);
//   /encrypted  the kso1 ciphertext of the same bytes decrypted chunk by chunk while streaming (as SpaceFiles does).
// Usage: dotnet run -c Release --project bench/Kastell.Storage.Benchmarks -- [size MiB, default 256] [rounds, default 7]
var sizeMiB = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 256;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
var size = sizeMiB * 1024L * 1024L;

var directory = Directory.CreateTempSubdirectory("kastell-bench-storage-").FullName;
try
{
    var plainPath = Path.Combine(directory, "plain.bin");
    var cipherPath = Path.Combine(directory, "cipher.kso1");
    await using (var plain = File.Create(plainPath))
    {
        var block = new byte[1024 * 1024];
        for (long written = 0; written < size; written += block.Length)
        {
            RandomNumberGenerator.Fill(block);
            await plain.WriteAsync(block);
        }
    }

    var key = RandomNumberGenerator.GetBytes(32);
    var fileId = Guid.NewGuid();
    byte[] sha256;
    await using (var source = File.OpenRead(plainPath))
    await using (var target = File.Create(cipherPath))
    {
        (_, sha256) = await ObjectCipher.EncryptAsync(source, target, key, fileId);
    }

    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1));
    var app = builder.Build();
    app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(directory), ServeUnknownFileTypes = true });
    // Opened as SpaceFiles opens it (asynchronous file, header read without blocking) and served as the download
    // endpoint serves it (Results.File with range processing).
    app.MapGet("/encrypted", async () => Results.File(
        await ObjectCipher.OpenReadAsync(new FileStream(cipherPath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess | FileOptions.Asynchronous), key, fileId, size, sha256),
        "application/octet-stream",
        enableRangeProcessing: true));
    await app.StartAsync();
    var baseUrl = app.Urls.First();

    using var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(10) };
    var plainRates = new List<double>();
    var encryptedRates = new List<double>();
    for (var round = -1; round < rounds; round++) // round -1 warms both paths up (JIT, page cache) and is not counted
    {
        var p = await DownloadAsync(client, "/plain.bin", size);
        var e = await DownloadAsync(client, "/encrypted", size);
        if (round >= 0)
        {
            plainRates.Add(p);
            encryptedRates.Add(e);
        }
    }

    await app.StopAsync();
    var plainMedian = Median(plainRates);
    var encryptedMedian = Median(encryptedRates);
    Console.WriteLine(FormattableString.Invariant($"file {sizeMiB} MiB, {rounds} rounds, {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
    Console.WriteLine(FormattableString.Invariant($"plain (Kestrel static file): median {plainMedian:F0} MiB/s  [{string.Join(", ", plainRates.Select(r => r.ToString("F0", CultureInfo.InvariantCulture)))}]"));
    Console.WriteLine(FormattableString.Invariant($"encrypted (kso1 decrypt):    median {encryptedMedian:F0} MiB/s  [{string.Join(", ", encryptedRates.Select(r => r.ToString("F0", CultureInfo.InvariantCulture)))}]"));
    Console.WriteLine(FormattableString.Invariant($"ratio encrypted/plain: {encryptedMedian / plainMedian:P0} (goal >= 50 %)"));
    return encryptedMedian / plainMedian >= 0.5 ? 0 : 1;
}
finally
{
    Directory.Delete(directory, recursive: true);
}

static async Task<double> DownloadAsync(HttpClient client, string path, long expected)
{
    var buffer = new byte[128 * 1024];
    var watch = Stopwatch.StartNew();
    using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
    response.EnsureSuccessStatusCode();
    await using var body = await response.Content.ReadAsStreamAsync();
    long total = 0;
    int read;
    while ((read = await body.ReadAsync(buffer)) > 0)
    {
        total += read;
    }

    watch.Stop();
    if (total != expected)
    {
        throw new InvalidOperationException($"{path} returned {total} bytes, not {expected}.");
    }

    return total / 1024.0 / 1024.0 / watch.Elapsed.TotalSeconds;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
