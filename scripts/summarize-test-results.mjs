// Reads the reports scripts/test.sh collected for each test project and prints every failure with its message,
// then the closing line "N passed, M failed, K skipped". Exits 1 when anything failed or errored, or no test ran.
// Usage: node summarize-test-results.mjs RESULTS_DIR PROJECT...
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const MESSAGE_LINES = 25;
const LOG_TAIL_LINES = 40;
// timeout(1) exits 124 when it stopped the command, 137 when it had to kill it.
const TIMED_OUT = new Set([124, 137]);

const [resultsDir, ...projects] = process.argv.slice(2);
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

for (const project of projects) {
  const outcome = summarizeProject(project);
  totals.passed += outcome.passed;
  totals.failed += outcome.failed;
  totals.skipped += outcome.skipped;
  // Worded differently from the closing line, which must be the only "N passed, M failed" line.
  console.log(`[test] ${project}: passed ${outcome.passed}, failed ${outcome.failed}, skipped ${outcome.skipped}`);
}

for (const failure of failures) {
  console.log(`\nFAILED ${failure.project}: ${failure.name}`);
  console.log(indent(limitLines(failure.message, MESSAGE_LINES)));
}
if (totals.passed + totals.failed === 0) {
  console.log("\nNo test ran.");
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = totals.failed > 0 || totals.passed + totals.failed === 0 ? 1 : 0;

function summarizeProject(project) {
  const log = readText(join(resultsDir, `${project}.log`)) ?? "";
  const exitCode = Number.parseInt(readText(join(resultsDir, `${project}.exit`)) ?? "", 10);
  const ctrf = readJson(join(resultsDir, `${project}.ctrf.json`));
  const outcome = ctrf ? countCtrf(project, ctrf) : countSummaryLine(log);

  // xUnit counts failures in fixtures' cleanup and in the runner as errors, outside any test.
  const loggedErrors = Number(/Errors: (\d+)/.exec(log)?.[1] ?? 0);
  if (loggedErrors > outcome.errors) {
    failures.push({ project, name: `${loggedErrors - outcome.errors} error(s) outside tests`, message: tail(log) });
    outcome.failed += loggedErrors - outcome.errors;
  }

  if (!outcome.found) {
    const why = TIMED_OUT.has(exitCode) ? "timed out" : `exited with code ${exitCode} and wrote no results`;
    failures.push({ project, name: `the test run ${why}`, message: tail(log) });
    outcome.failed += 1;
  } else if (exitCode !== 0 && outcome.failed === 0) {
    failures.push({ project, name: `the test run exited with code ${exitCode} although no test failed`, message: tail(log) });
    outcome.failed += 1;
  }
  return outcome;
}

function countCtrf(project, report) {
  const outcome = { found: true, passed: 0, failed: 0, skipped: 0, errors: 0 };
  for (const test of report.results?.tests ?? []) {
    if (test.status === "passed") {
      outcome.passed += 1;
    } else if (test.status === "failed") {
      outcome.failed += 1;
      failures.push({ project, name: test.name, message: [test.message, test.trace].filter(Boolean).join("\n") });
    } else {
      outcome.skipped += 1;
    }
  }
  for (const suite of report.results?.extra?.suites ?? []) {
    for (const error of suite.errors ?? []) {
      outcome.errors += 1;
      outcome.failed += 1;
      failures.push({ project, name: "error outside tests", message: describe(error) });
    }
  }
  return outcome;
}

// Fallback when no CTRF report exists: xUnit's "Total: N, Errors: E, Failed: F, Skipped: S" summary line.
function countSummaryLine(log) {
  const match = /Total: (\d+), Errors: (\d+), Failed: (\d+), Skipped: (\d+)/.exec(log);
  if (!match) {
    return { found: false, passed: 0, failed: 0, skipped: 0, errors: 0 };
  }
  const [total, errors, failed, skipped] = match.slice(1).map(Number);
  return { found: true, passed: total - failed - skipped, failed: failed + errors, skipped, errors };
}

function describe(error) {
  if (typeof error === "string") {
    return error;
  }
  return [error.message, error.trace ?? error.stackTrace].filter(Boolean).join("\n") || JSON.stringify(error);
}

function readText(path) {
  return existsSync(path) ? readFileSync(path, "utf8").trim() : null;
}

function readJson(path) {
  const text = readText(path);
  if (!text) {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function tail(text) {
  return text.split("\n").slice(-LOG_TAIL_LINES).join("\n") || "(empty log)";
}

function limitLines(text, count) {
  const lines = (text || "(no message)").split("\n");
  return lines.length > count ? [...lines.slice(0, count), `... (${lines.length - count} more lines)`].join("\n") : lines.join("\n");
}

function indent(text) {
  return text.replace(/^/gm, "    ");
}
