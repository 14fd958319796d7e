// Fails the CI run when the integration command skipped a test (or ran none): a missing server
// must show up as a failure, never as a quiet skip. Reads vitest's JSON report.
import fs from 'node:fs';

interface Report {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

const report = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as Report;
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`integration: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
if (report.numTotalTests === 0) console.error('integration: no test ran');
if (report.numTotalTests === 0 || skipped > 0 || report.numFailedTests > 0) process.exit(1);
