using Kastell.Server.Tests.Infrastructure;

// One PostgreSQL cluster per test process (started on first use), shared with the server tests' harness.
[assembly: AssemblyFixture(typeof(PostgresCluster))]
