using System.Diagnostics;
using System.Text;
using System.Xml;
using Kastell.Saml;
using Kastell.Saml.Encryption;
using Kastell.Saml.Xml;
using Kastell.Saml.Tests.Infrastructure;
using SharpFuzz;
using Idp = Kastell.Saml.Tests.Infrastructure.TestIdentityProvider;

// Fuzz harness for Kastell.Saml (see bench/fuzz-saml.sh).
//   seeds DIR              make keys (DIR/keys) and a seed corpus of valid and malicious responses (DIR/seeds)
//   afl DIR                the AFL++ target: one input per run, read from stdin by SharpFuzz
//   replay DIR FILE...     run inputs once each and report which throw (crash triage and regression checks)
//   loop DIR COUNT [SEED]  in-process mutation fuzzing, for machines where AFL++ cannot run
// Any exception that escapes the library is a crash: expected failures must be refusals, never exceptions.
return args switch
{
    ["seeds", var directory] => Seeds.Write(directory),
    ["afl", var directory] => Target.Afl(directory),
    ["replay", var directory, .. var files] => Target.Replay(directory, files),
    ["loop", var directory, var count] => MutationLoop.Run(directory, long.Parse(count, System.Globalization.CultureInfo.InvariantCulture), 1),
    ["loop", var directory, var count, var seed] => MutationLoop.Run(directory, long.Parse(count, System.Globalization.CultureInfo.InvariantCulture), int.Parse(seed, System.Globalization.CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Kastell.Saml.Fuzz seeds DIR | afl DIR | replay DIR FILE... | loop DIR COUNT [SEED]");
    return 2;
}

/// <summary>The code under test, set up once per process with the keys the seeds were made with.</summary>
internal sealed class Target
{
    private static readonly IReadOnlyCollection<string> Outstanding = [ResponseSpec.RequestId];
    private readonly SamlResponseValidator _strict;
    private readonly SamlResponseValidator _lenient;
    private readonly SamlMetadataReadOptions _metadata;
    private readonly SamlServiceProvider _serviceProvider;
    private readonly SamlIdentityProvider _identityProvider;
    private readonly SamlSecurityOptions _lenientOptions = new() { RequireSignedAssertion = false, AllowInsecureSha1 = true, AllowUnsolicitedResponses = true };

    public Target(string directory)
    {
        var keys = Path.Combine(directory, "keys");
        var idp = TestKeys.FromPem(File.ReadAllText(Path.Combine(keys, "idp.pem")));
        var sp = TestKeys.FromPem(File.ReadAllText(Path.Combine(keys, "sp-encryption.pem")));
        var time = new FixedTime(ResponseSpec.Now);
        _serviceProvider = new SamlServiceProvider(ResponseSpec.SpEntityId, ResponseSpec.AcsUrl, null, [sp]);
        _identityProvider = new SamlIdentityProvider(ResponseSpec.IdpEntityId, [idp], "https://idp.test/sso");
        var store = new InMemorySamlReplayStore(time);
        _strict = new SamlResponseValidator(_serviceProvider, _identityProvider, new SamlSecurityOptions(), store, time);
        _lenient = new SamlResponseValidator(_serviceProvider, _identityProvider, _lenientOptions, store, time);
        _metadata = new SamlMetadataReadOptions { PinnedMetadataCertificate = idp, TimeProvider = time };
    }

    /// <summary>One execution: the response through both option sets (no replay store: runs must not depend on each
    /// other), the same bytes as metadata, and the stages behind the signature check run directly.</summary>
    public void Run(byte[] input)
    {
        _ = _strict.Check(input, Outstanding);
        _ = _lenient.Check(input, Outstanding);
        _ = SamlMetadataReader.Read(input, _metadata);
        RunBehindTheSignature(input);
    }

    /// <summary>
    /// A fuzzer cannot forge signatures, so mutated assertions never reach the code after verification through the
    /// validator. This runs that code on the parsed input as if verified: the structure rules, decryption and the
    /// assertion reader. Its results mean nothing; only an escaping exception or a hang counts.
    /// </summary>
    private void RunBehindTheSignature(byte[] input)
    {
        if (SecureXml.TryLoad(input, out var document) != XmlLoadFailure.None || document!.DocumentElement is not { } response)
        {
            return;
        }

        _ = SamlResponseValidator.CheckStructure(response);
        foreach (var element in response.ChildNodes.OfType<XmlElement>().ToList())
        {
            if (element.LocalName == "EncryptedAssertion")
            {
                _ = AssertionDecryptor.DecryptInPlace(element, _serviceProvider.DecryptionCertificates, 256 * 1024);
            }
            else if (element.LocalName == "Assertion")
            {
                _ = new AssertionReader(_serviceProvider, _identityProvider, _lenientOptions, ResponseSpec.Now, Outstanding)
                    .Read(element, response.GetAttribute("InResponseTo"), responseSigned: true, assertionSigned: true, encrypted: false);
            }
        }
    }

    public static int Afl(string directory)
    {
        // Instrumented code may run only once SharpFuzz has attached AFL++'s shared memory: the target is made on the
        // first input, inside the fuzzing loop.
        Target? target = null;
        Fuzzer.OutOfProcess.Run(stream =>
        {
            target ??= new Target(directory);
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target.Run(buffer.ToArray());
        });
        return 0;
    }

    public static int Replay(string directory, string[] files)
    {
        var target = new Target(directory);
        var failures = 0;
        foreach (var file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
            catch (Exception exception)
            {
                failures++;
                Console.WriteLine($"{file}: {exception.GetType().Name}: {exception.Message}");
                Console.WriteLine(exception.StackTrace);
            }
        }

        Console.WriteLine($"{files.Length} inputs, {failures} threw");
        return failures == 0 ? 0 : 1;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

/// <summary>The seed corpus: the accepted shapes and the attack corpus of the tests, as raw XML.</summary>
internal static class Seeds
{
    public static int Write(string directory)
    {
        var keys = Directory.CreateDirectory(Path.Combine(directory, "keys")).FullName;
        var seeds = Directory.CreateDirectory(Path.Combine(directory, "seeds")).FullName;
        File.WriteAllText(Path.Combine(keys, "idp.pem"), TestKeys.ToPem(TestKeys.Shared.Idp));
        File.WriteAllText(Path.Combine(keys, "sp-encryption.pem"), TestKeys.ToPem(TestKeys.Shared.SpEncryption));

        void Save(string name, string xml) => File.WriteAllText(Path.Combine(seeds, name + ".xml"), xml, new UTF8Encoding(false));

        Save("signed-assertion", Idp.SignedAssertion().OuterXml);
        Save("signed-response", Idp.SignedResponse().OuterXml);
        Save("signed-both", Idp.SignedBoth().OuterXml);
        var gcm = Idp.SignedAssertion();
        Idp.EncryptAssertion(gcm, TestKeys.Shared.SpEncryption);
        Save("encrypted-gcm", gcm.OuterXml);
        var cbc = Idp.SignedAssertion();
        Idp.EncryptAssertion(cbc, TestKeys.Shared.SpEncryption, Idp.Cipher.Aes256CbcWithEncryptedXml);
        Idp.Sign(Idp.Response(cbc), TestKeys.Shared.Idp);
        Save("encrypted-cbc-signed-response", cbc.OuterXml);
        Save("sha1", Idp.SignedAssertion(options: new Idp.SignOptions { SignatureMethod = SamlNames.RsaSha1, DigestMethod = SamlNames.Sha1 }).OuterXml);
        Save("unsolicited", Idp.SignedAssertion(new ResponseSpec { ResponseInResponseTo = null, ConfirmationInResponseTo = null }).OuterXml);
        Save("status-responder", Idp.Build(new ResponseSpec { Status = "urn:oasis:names:tc:SAML:2.0:status:Responder" }).OuterXml);
        foreach (var variant in new[] { "XSW1", "XSW2", "XSW3", "XSW4", "XSW5", "XSW6", "XSW7", "XSW8" })
        {
            Save(variant.ToLowerInvariant(), XswAttacks.Wrap(variant, uniqueIds: false).OuterXml);
            Save(variant.ToLowerInvariant() + "-unique-ids", XswAttacks.Wrap(variant, uniqueIds: true).OuterXml);
        }

        var comment = Idp.SignedAssertion(new ResponseSpec { NameId = "alice@example.com.evil.test" });
        ((XmlElement)comment.GetElementsByTagName("NameID", Idp.Saml)[0]!).InnerXml = "alice@example.com<!---->.evil.test";
        Save("comment-injection", comment.OuterXml);
        Save("xxe", "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + Idp.SignedAssertion().OuterXml);
        Save("metadata", $"""<md:EntityDescriptor xmlns:md="{SamlNames.Metadata}" entityID="{ResponseSpec.IdpEntityId}"><md:IDPSSODescriptor protocolSupportEnumeration="{SamlNames.Protocol}"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="{Idp.Ds}"><ds:X509Data><ds:X509Certificate>{Convert.ToBase64String(TestKeys.Shared.Idp.RawData)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat><md:SingleSignOnService Binding="{SamlNames.HttpRedirectBinding}" Location="https://idp.test/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>""");
        Console.WriteLine($"wrote {Directory.GetFiles(seeds).Length} seeds to {seeds}");
        return 0;
    }
}

/// <summary>
/// The fallback when AFL++ cannot run: byte- and structure-aware mutations of the seeds in one process, with the same
/// rule (an escaping exception is a crash; a run over the time limit is a hang).
/// </summary>
internal static class MutationLoop
{
    private static readonly string[] Tokens =
    [
        "<!---->", "<!DOCTYPE a [<!ENTITY e \"x\">]>", "&e;", "ID=\"", "Id=\"", "id=\"", "<ds:Object>", "<saml:Assertion>", "</saml:Assertion>",
        "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"", "<?pi x?>", "<![CDATA[x]]>", "\u0000", "\uFFFF", "#", "\"", "<", ">", "/>",
        SamlNames.RsaSha1, SamlNames.EcdsaSha256, SamlNames.Aes128Cbc, SamlNames.RsaOaep, SamlNames.Sha512, "2026-12-01T10:00:00Z", "9999-12-31T23:59:59.999999999Z",
    ];

    public static int Run(string directory, long count, int seed)
    {
        var target = new Target(directory);
        var corpus = Directory.GetFiles(Path.Combine(directory, "seeds")).Select(File.ReadAllBytes).ToList();
        var random = new Random(seed);
        var crashes = Directory.CreateDirectory(Path.Combine(directory, "loop-crashes")).FullName;
        var hangs = Directory.CreateDirectory(Path.Combine(directory, "loop-hangs")).FullName;
        long crashCount = 0, hangCount = 0;
        var watch = Stopwatch.StartNew();
        var slowest = TimeSpan.Zero;
        for (long i = 0; i < count; i++)
        {
            var input = Mutate(corpus[random.Next(corpus.Count)], random);
            var started = Stopwatch.GetTimestamp();
            try
            {
                target.Run(input);
            }
            catch (Exception exception)
            {
                crashCount++;
                File.WriteAllBytes(Path.Combine(crashes, $"crash-{i}.xml"), input);
                Console.WriteLine($"crash {i}: {exception.GetType().Name}: {exception.Message}");
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            slowest = elapsed > slowest ? elapsed : slowest;
            if (elapsed > TimeSpan.FromSeconds(1))
            {
                hangCount++;
                File.WriteAllBytes(Path.Combine(hangs, $"hang-{i}.xml"), input);
            }

            // Inputs that pass parsing are kept as new seeds now and then, so mutations stack.
            if (i % 997 == 0 && corpus.Count < 5000)
            {
                corpus.Add(input);
            }

            if ((i + 1) % 100_000 == 0)
            {
                Console.WriteLine($"{i + 1} executions, {crashCount} crashes, {hangCount} hangs, {(i + 1) / watch.Elapsed.TotalSeconds:F0}/s");
            }
        }

        Console.WriteLine($"executions: {count}, crashes: {crashCount}, hangs (>1 s): {hangCount}, slowest: {slowest.TotalMilliseconds:F1} ms, time: {watch.Elapsed.TotalSeconds:F0} s");
        return crashCount == 0 && hangCount == 0 ? 0 : 1;
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var data = new List<byte>(seed);
        var rounds = 1 + random.Next(4);
        for (var r = 0; r < rounds && data.Count > 0; r++)
        {
            var at = random.Next(data.Count);
            switch (random.Next(7))
            {
                case 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data[at] = (byte)random.Next(256);
                    break;
                case 2:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(64)));
                    break;
                case 3:
                    data.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[random.Next(Tokens.Length)]));
                    break;
                case 4:
                {
                    var length = Math.Min(data.Count - at, 1 + random.Next(256));
                    data.InsertRange(random.Next(data.Count), data.GetRange(at, length));
                    break;
                }

                case 5:
                {
                    // Swap two tag-aligned regions, which keeps much of the XML well-formed.
                    var text = Encoding.UTF8.GetString(data.ToArray());
                    var a = text.IndexOf('<', random.Next(text.Length));
                    var b = a < 0 ? -1 : text.IndexOf('<', a + 1 + random.Next(Math.Max(1, text.Length - a - 1)));
                    if (a >= 0 && b > a)
                    {
                        var end = text.IndexOf('>', b);
                        if (end > b)
                        {
                            text = text[..a] + text[b..(end + 1)] + text[a..b] + text[(end + 1)..];
                            data = [.. Encoding.UTF8.GetBytes(text)];
                        }
                    }

                    break;
                }

                default:
                    data.Insert(at, (byte)"<>\"'&=/ :#"[random.Next(10)]);
                    break;
            }
        }

        return [.. data];
    }
}
