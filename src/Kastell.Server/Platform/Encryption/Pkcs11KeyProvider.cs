using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ISession = Net.Pkcs11Interop.HighLevelAPI.ISession;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Kastell.Server.Platform.Encryption;

/// <summary>
/// KEKs as AES-256 secret keys inside a PKCS#11 token, labelled <c>&lt;KeyLabel&gt;-v&lt;version&gt;</c>,
/// generated on the token as sensitive and non-extractable: wrapping and unwrapping are CKM_AES_GCM operations
/// on the token, so the KEK never exists in Kastell's memory. Version 1 is generated on first start.
/// </summary>
internal sealed class Pkcs11KeyProvider : IKeyEncryptionKeyProvider, IDisposable
{
    // A PKCS#11 module is initialized once per process; finalizing it would cut off every other user in the
    // process (another host in tests, the CLI), so loaded modules stay loaded until the process ends.
    private static readonly ConcurrentDictionary<string, Lazy<IPkcs11Library>> Libraries = new();

    // One lock per module for every session of the process: SoftHSM2 (file object store) was seen answering
    // CKR_OBJECT_HANDLE_INVALID when one session looked up its key while another created or destroyed objects on
    // the same token. KEK operations are rare (data keys are cached), so serializing them costs nothing that matters.
    private static readonly ConcurrentDictionary<string, Lock> ModuleGates = new();

    // Login state belongs to the token and the process, so a second login answers CKR_USER_ALREADY_LOGGED_IN
    // whatever PIN it carries. To keep a wrong PIN from riding on an earlier login, the process remembers a hash of
    // the PIN the token accepted and refuses any other PIN while that login lasts.
    private static readonly ConcurrentDictionary<(string Library, string Token), byte[]> AcceptedPins = new();

    static Pkcs11KeyProvider()
    {
        // Pkcs11Interop loads modules through "libdl", which glibc 2.34+ (Debian 12) ships only as libdl.so.2
        // unless the C development files are installed; resolve it to the runtime library instead.
        NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, (name, assembly, path) =>
            name == "libdl" && OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libdl.so.2", out var handle) ? handle : IntPtr.Zero);
    }

    private readonly Pkcs11Options _options;
    private readonly ISession _session;
    private readonly Lock _gate;

    public Pkcs11KeyProvider(Pkcs11Options options)
    {
        _options = options;
        _gate = ModuleGates.GetOrAdd(options.LibraryPath!, _ => new Lock());
        lock (_gate)
        {
            var library = Libraries.GetOrAdd(options.LibraryPath!, path => new Lazy<IPkcs11Library>(() =>
            {
                var factories = new Pkcs11InteropFactories();
                return factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, path, AppType.MultiThreaded);
            })).Value;
            var slot = library.GetSlotList(SlotsType.WithTokenPresent)
                .FirstOrDefault(s => s.GetTokenInfo().Label.Trim() == options.TokenLabel)
                ?? throw new KeyUnavailableException($"No PKCS#11 token labelled '{options.TokenLabel}' in {options.LibraryPath}.");
            _session = slot.OpenSession(SessionType.ReadWrite);
            var token = (options.LibraryPath!, options.TokenLabel!);
            var pinHash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(options.Pin!));
            try
            {
                _session.Login(CKU.CKU_USER, options.Pin);
                AcceptedPins[token] = pinHash;
            }
            catch (Pkcs11Exception ex) when (ex.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
            {
                if (!AcceptedPins.TryGetValue(token, out var accepted) || !CryptographicOperations.FixedTimeEquals(accepted, pinHash))
                {
                    _session.Dispose();
                    throw new KeyUnavailableException($"The PKCS#11 token '{options.TokenLabel}' refused the PIN (it differs from the PIN this process is logged in with).", ex);
                }
            }
            catch (Pkcs11Exception ex) when (ex.RV is CKR.CKR_PIN_INCORRECT or CKR.CKR_PIN_LOCKED or CKR.CKR_PIN_INVALID or CKR.CKR_PIN_LEN_RANGE)
            {
                _session.Dispose();
                throw new KeyUnavailableException($"The PKCS#11 token '{options.TokenLabel}' refused the PIN ({ex.RV}).", ex);
            }

            if (Versions().Count == 0)
            {
                Generate(1);
            }
        }
    }

    public string Name => "Pkcs11";

    public int CurrentVersion() => Versions().Keys.DefaultIfEmpty().Max() is var v and > 0
        ? v
        : throw new KeyUnavailableException($"No key labelled '{_options.KeyLabel}-v<N>' on PKCS#11 token '{_options.TokenLabel}'.");

    public byte[] Wrap(int kekVersion, ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> associatedData)
    {
        var nonce = RandomNumberGenerator.GetBytes(AesGcmBlob.NonceSize);
        var aad = associatedData.ToArray();
        var plain = dataKey.ToArray();
        lock (_gate)
        {
            var sealedKey = WithFreshHandle(kekVersion, key => _session.Encrypt(Gcm(nonce, aad), key, plain));
            return [.. nonce, .. sealedKey];
        }
    }

    public byte[] Unwrap(int kekVersion, ReadOnlySpan<byte> wrappedKey, ReadOnlySpan<byte> associatedData)
    {
        var what = $"A data key wrapped with KEK version {kekVersion} (PKCS#11 token '{_options.TokenLabel}')";
        if (wrappedKey.Length < AesGcmBlob.Overhead)
        {
            throw new DecryptionFailedException($"{what} is truncated.");
        }

        var nonce = wrappedKey[..AesGcmBlob.NonceSize].ToArray();
        var sealedKey = wrappedKey[AesGcmBlob.NonceSize..].ToArray();
        var aad = associatedData.ToArray();
        lock (_gate)
        {
            try
            {
                return WithFreshHandle(kekVersion, key => _session.Decrypt(Gcm(nonce, aad), key, sealedKey));
            }
            catch (Pkcs11Exception ex) when (ex.RV is CKR.CKR_ENCRYPTED_DATA_INVALID or CKR.CKR_ENCRYPTED_DATA_LEN_RANGE or CKR.CKR_GENERAL_ERROR or CKR.CKR_FUNCTION_FAILED)
            {
                throw new DecryptionFailedException($"{what} failed authentication: it was altered, belongs to another place, or the key is wrong.", ex);
            }
        }
    }

    public int CreateNextVersion()
    {
        lock (_gate)
        {
            var next = Versions().Keys.DefaultIfEmpty().Max() + 1;
            Generate(next);
            return next;
        }
    }

    public void Destroy(int kekVersion)
    {
        lock (_gate)
        {
            _session.DestroyObject(Find(kekVersion));
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _session.Dispose();
        }
    }

    private IMechanism Gcm(byte[] nonce, byte[] aad) =>
        _session.Factories.MechanismFactory.Create(CKM.CKM_AES_GCM,
            _session.Factories.MechanismParamsFactory.CreateCkGcmParams(nonce, (ulong)nonce.Length * 8, aad, AesGcmBlob.TagSize * 8));

    /// <summary>
    /// Runs a key operation, looking the key up once more if the token calls the handle invalid: another process
    /// (a CLI verb rotating keys while the server runs) may have changed the token's objects since the lookup.
    /// </summary>
    private T WithFreshHandle<T>(int kekVersion, Func<IObjectHandle, T> operation)
    {
        try
        {
            return operation(Find(kekVersion));
        }
        catch (Pkcs11Exception ex) when (ex.RV == CKR.CKR_OBJECT_HANDLE_INVALID || ex.RV == CKR.CKR_KEY_HANDLE_INVALID)
        {
            return operation(Find(kekVersion));
        }
    }

    private string LabelOf(int version) => $"{_options.KeyLabel}-v{version}";

    private IObjectHandle Find(int version) => Versions().TryGetValue(version, out var handle)
        ? handle
        : throw new KeyUnavailableException($"Key-encryption key version {version} ('{LabelOf(version)}') is not on PKCS#11 token '{_options.TokenLabel}'.");

    private Dictionary<int, IObjectHandle> Versions()
    {
        lock (_gate)
        {
            var attributes = _session.Factories.ObjectAttributeFactory;
            var prefix = _options.KeyLabel + "-v";
            var found = new Dictionary<int, IObjectHandle>();
            foreach (var handle in _session.FindAllObjects([attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY)]))
            {
                var label = _session.GetAttributeValue(handle, [CKA.CKA_LABEL])[0].GetValueAsString();
                if (label.StartsWith(prefix, StringComparison.Ordinal)
                    && int.TryParse(label.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version)
                    && version > 0)
                {
                    found[version] = handle;
                }
            }

            return found;
        }
    }

    private void Generate(int version)
    {
        lock (_gate)
        {
            var a = _session.Factories.ObjectAttributeFactory;
            _session.GenerateKey(_session.Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN),
            [
                a.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                a.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
                a.Create(CKA.CKA_VALUE_LEN, (ulong)AesGcmBlob.KeySize),
                a.Create(CKA.CKA_LABEL, LabelOf(version)),
                a.Create(CKA.CKA_TOKEN, true),
                a.Create(CKA.CKA_PRIVATE, true),
                a.Create(CKA.CKA_SENSITIVE, true),
                a.Create(CKA.CKA_EXTRACTABLE, false),
                a.Create(CKA.CKA_ENCRYPT, true),
                a.Create(CKA.CKA_DECRYPT, true),
            ]);
        }
    }
}
