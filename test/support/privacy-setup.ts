/**
 * Vitest setup file (every test file): capture logs, console output and SES tags while the file runs, and fail the
 * file if any of them holds the email address, name, phone or interest of a lead the file stored.
 */
import { afterAll } from 'vitest';
import { installCapture } from './privacy.ts';

const capture = installCapture();
capture.reset();

afterAll(() => {
  const leaks = capture.leaks();
  if (leaks.length === 0) return;
  const shown = leaks.slice(0, 5).map((leak) => `  ${leak.field} in ${leak.source}: ${leak.text.trim().slice(0, 300)}`);
  throw new Error(`Personal data in logs or SES tags (${leaks.length}):\n${shown.join('\n')}`);
});
