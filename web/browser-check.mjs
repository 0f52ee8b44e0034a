// Drives the gateway's GraphiQL page in headless Chromium and prints what happened as JSON.
//
// usage: node web/browser-check.mjs <page URL> <screenshot.png> [query]
// Loads the page, types the query into the editor, runs it and waits for a response. Every request
// the page makes is recorded; any that leaves loopback is aborted (and reported), so the check
// never reaches the network even if the page tries. Prints {ok, error?, requests, offLoopback,
// consoleErrors, pageErrors, queryText, responseText, screenshot}; exits 0 when it could report
// (the caller judges the result), 2 on bad usage.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [url, screenshot, query = '{ providers { provider } }'] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error('usage: node browser-check.mjs <page URL> <screenshot.png> [query]');
  process.exit(2);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const STEP_TIMEOUT = 45_000;

function isLoopback(address) {
  const { protocol, hostname } = new URL(address);
  // data: and blob: URLs are the page's own bytes, not network traffic.
  return protocol === 'data:' || protocol === 'blob:' || LOOPBACK.has(hostname);
}

const report = {
  ok: false,
  url,
  requests: [],
  offLoopback: [],
  consoleErrors: [],
  pageErrors: [],
  queryText: null,
  responseText: null,
  screenshot,
};

const userDataDir = await mkdtemp(join(tmpdir(), 'gateway-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    timeout: STEP_TIMEOUT,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  await context.route('**/*', (route) => {
    const address = route.request().url();
    report.requests.push(address);
    if (isLoopback(address)) return route.continue();
    report.offLoopback.push(address);
    return route.abort('blockedbyclient');
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on('console', (message) => {
    if (message.type() === 'error') report.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => report.pageErrors.push(String(error)));

  await page.goto(url, { waitUntil: 'load' });
  const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
  await editor.waitFor({ state: 'visible' });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  // insertText, unlike typing key by key, does not trigger Monaco's bracket auto-closing.
  await page.keyboard.insertText(query);
  report.queryText = await editorText(page, '.graphiql-query-editor');

  await page.locator('.graphiql-execute-button').click();
  await page.waitForFunction(
    () => /"data"|"errors"/.test(document.querySelector('.graphiql-response')?.textContent ?? ''),
  );
  report.responseText = await editorText(page, '.graphiql-response');
  await page.screenshot({ path: screenshot });
  report.ok = true;
} catch (error) {
  report.error = String(error?.stack ?? error);
  const page = context?.pages()[0];
  if (page) await page.screenshot({ path: screenshot }).catch(() => {});
} finally {
  await context?.close().catch(() => {});
  await rm(userDataDir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);

// Monaco renders each line as a .view-line with non-breaking spaces.
async function editorText(page, container) {
  const lines = await page.locator(`${container} .view-line`).allTextContents();
  return lines.join('\n').replaceAll('\u00a0', ' ');
}
