/**
 * Debian's chromium for the browser tests, driven by playwright-core (which never downloads a browser). Without
 * /usr/bin/chromium a browser test is skipped and says so; with REQUIRE_BROWSER=1 (set by .ci/run) it fails instead.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Whether chromium is installed; warns when it is not, and throws instead when REQUIRE_BROWSER=1. */
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  const why = `${CHROMIUM} not found. Install it with \`apt-get install chromium\` (.ci/run does)`;
  if (process.env.REQUIRE_BROWSER === '1')
    throw new Error(`REQUIRE_BROWSER=1 but the browser tests cannot run: ${why}.`);
  console.warn(`Browser test skipped: ${why}.`);
}

/** A describe title that says, when chromium is missing, that the block was skipped and why. */
export function browserSuiteTitle(title: string): string {
  return hasChromium ? title : `${title}: skipped, ${CHROMIUM} not installed`;
}

/** Launch the installed chromium headless with the flags a sandbox-less CI machine needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}
