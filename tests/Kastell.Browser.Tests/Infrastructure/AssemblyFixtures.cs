using Kastell.Browser.Tests.Infrastructure;

// One Kastell server and one Chromium per test process; every test uses its own browser context (own cookies),
// and its own account, so tests do not see each other's state.
[assembly: AssemblyFixture(typeof(KastellServer))]
[assembly: AssemblyFixture(typeof(ChromiumBrowser))]
