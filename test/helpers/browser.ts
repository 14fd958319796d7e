import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Screenshots land here (gitignored); CI keeps them as artifacts. */
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * The Chromium that `npm install` brought (the `@sparticuz/chromium` devDependency unpacks a
 * headless build into the temp dir on first use), or the one at CHROMIUM_PATH when asked for
 * explicitly. Never a silent skip: a browser that cannot start fails the test.
 */
export async function launchChromium(): Promise<Browser> {
  sparticuz.setGraphicsMode = false;
  const executablePath = process.env.CHROMIUM_PATH || (await sparticuz.executablePath());
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Collects the page's Content-Security-Policy violations (the browser reports each on the
 * console): a test asserts the list stays empty.
 */
export function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
  });
  return violations;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core's serious and critical findings on the current page (WCAG 2 A/AA rules). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (a <script> tag it would refuse).
  await page.evaluate(fs.readFileSync(AXE, 'utf8'));
  const violations = await page.evaluate(async () => {
    const { axe } = globalThis as unknown as { axe: { run(o: object): Promise<{ violations: AxeViolation[] }> } };
    return (await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'best-practice'] } })).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}
