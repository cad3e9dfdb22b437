using Kastell.Server.Tests.Infrastructure;

// One PostgreSQL cluster and one SMTP sink per test process; test classes receive them through their constructors.
[assembly: AssemblyFixture(typeof(PostgresCluster))]
[assembly: AssemblyFixture(typeof(SmtpSink))]
