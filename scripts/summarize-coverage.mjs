// Merges the Cobertura reports scripts/test.sh collected (one per test project, KASTELL_TEST_COVERAGE=1) and prints
// line coverage per assembly and for the security-critical areas. A line counts as covered when any test project
// ran it. Usage: node summarize-coverage.mjs COVERAGE_DIR
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// Areas by source path (relative to the repository), each a list of path prefixes.
const AREAS = [
  ["Kastell.Authorization", ["src/Kastell.Authorization/"]],
  ["Kastell.Saml", ["src/Kastell.Saml/"]],
  ["Server: encryption", ["src/Kastell.Server/Platform/Encryption/"]],
  ["Server: audit", ["src/Kastell.Server/Platform/Audit/"]],
  ["Server: tenancy", [
    "src/Kastell.Server/Platform/Tenancy/",
    "src/Kastell.Server/Platform/Data/TenantConnectionInterceptor.cs",
    "src/Kastell.Server/Features/Organizations/TenantResolutionMiddleware.cs",
    "src/Kastell.Server/Features/Organizations/TenantAccess.cs",
    "src/Kastell.Server/Features/Organizations/ITenantOwned.cs",
    "src/Kastell.Server/Features/Organizations/RequireOrganizationRoleAttribute.cs",
  ]],
];
// Generated or tool-owned code that says nothing about the tests.
const EXCLUDED = [/\/obj\//, /\/Migrations\//, /\.g\.cs$/];

const [coverageDir] = process.argv.slice(2);
const reports = readdirSync(coverageDir).filter((f) => /cobertura.*\.xml$/.test(f));
if (reports.length === 0) {
  console.log(`[coverage] no Cobertura reports in ${coverageDir}`);
  process.exit(0);
}

// file -> line -> hits, and file -> assembly
const lines = new Map();
const assemblyOf = new Map();
for (const report of reports) {
  const xml = readFileSync(join(coverageDir, report), "utf8");
  const sources = [...xml.matchAll(/<source>([^<]*)<\/source>/g)].map((m) => m[1]);
  for (const pkg of xml.matchAll(/<package name="([^"]*)"[\s\S]*?<\/package>/g)) {
    for (const cls of pkg[0].matchAll(/<class [^>]*filename="([^"]*)"[^>]*>([\s\S]*?)<\/class>/g)) {
      const file = repositoryPath(decode(cls[1]), sources);
      if (!file || EXCLUDED.some((re) => re.test(file))) continue;
      assemblyOf.set(file, pkg[1]);
      const fileLines = lines.get(file) ?? new Map();
      lines.set(file, fileLines);
      // Only the class's own <lines> (methods repeat them).
      const own = cls[2].replace(/<methods>[\s\S]*<\/methods>/, "");
      for (const line of own.matchAll(/<line number="(\d+)" hits="(\d+)"/g)) {
        const n = Number(line[1]);
        fileLines.set(n, (fileLines.get(n) ?? 0) + Number(line[2]));
      }
    }
  }
}

function decode(text) {
  return text.replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"');
}

function repositoryPath(filename, sources) {
  const candidates = [filename, ...sources.map((s) => join(s, filename))].map((p) => p.replaceAll("\\", "/"));
  for (const candidate of candidates) {
    const at = candidate.lastIndexOf("/src/");
    if (at >= 0) return candidate.slice(at + 1);
    if (candidate.startsWith("src/")) return candidate;
  }
  return null;
}

function measure(filter) {
  let total = 0;
  let covered = 0;
  for (const [file, fileLines] of lines) {
    if (!filter(file)) continue;
    for (const hits of fileLines.values()) {
      total += 1;
      if (hits > 0) covered += 1;
    }
  }
  return { total, covered, percent: total === 0 ? 0 : (100 * covered) / total };
}

const rows = [];
for (const assembly of [...new Set(assemblyOf.values())].sort()) {
  rows.push([`assembly ${assembly}`, measure((f) => assemblyOf.get(f) === assembly)]);
}
for (const [name, prefixes] of AREAS) {
  rows.push([name, measure((f) => prefixes.some((p) => f.startsWith(p)))]);
}

const summary = rows.map(([name, m]) => `${name.padEnd(36)} ${m.percent.toFixed(1).padStart(5)} %  (${m.covered} of ${m.total} lines)`);
writeFileSync(join(coverageDir, "summary.txt"), summary.join("\n") + "\n");
console.log(`[coverage] line coverage from ${reports.length} report(s) in ${coverageDir} (migrations and generated code left out):`);
for (const line of summary) console.log(`[coverage]   ${line}`);
