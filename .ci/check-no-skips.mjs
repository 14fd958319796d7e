// Fails the CI run when the integration command skipped a test (or ran none): a missing server
// must show up as a failure, never as a quiet skip.
import fs from 'node:fs';

const report = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`integration: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
if (report.numTotalTests === 0) {
  console.error('integration: no test ran');
  process.exit(1);
}
if (skipped > 0 || report.numFailedTests > 0) process.exit(1);
