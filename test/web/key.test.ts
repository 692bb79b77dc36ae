// The app against a service that requires an API key: it asks for one on the first 401, says so
// in words when the key is refused, then works with the key kept in session storage only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type RunningProduct } from '../support/product.js';
import { axe, browserUnavailable, openBrowser, screenshot, seriousViolations, type BrowserSession } from './browser.js';

const KEY = 'web-test-admin-key-0123456789';
let product: RunningProduct;
let session: BrowserSession;

describe.skipIf(browserUnavailable() !== null)('the API key prompt', () => {
  beforeAll(async () => {
    product = await startEmbedded({ env: { FACEREC_API_KEY: KEY } });
    session = await openBrowser(product.url);
  });

  afterAll(async () => {
    await session?.close();
    await product?.stop();
  });

  it('asks for a key, refuses a wrong one in words, and keeps the right one for the tab only', async () => {
    const { page } = session;
    await page.goto('/#/galleries');
    await page.getByRole('heading', { name: 'API key needed' }).waitFor();
    await screenshot(page, 'key-prompt');
    expect(seriousViolations(await axe(page))).toEqual([]);

    await page.getByLabel('API key', { exact: true }).fill('not-the-key');
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByText(/the API key is not valid/).waitFor();

    await page.getByLabel('API key', { exact: true }).fill(KEY);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByRole('heading', { name: 'Galleries', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Create' }).waitFor();
    expect(await page.evaluate(() => ({ session: sessionStorage.getItem('facerec.apiKey'), local: localStorage.length, cookies: document.cookie }))).toEqual({
      session: KEY,
      local: 0,
      cookies: '',
    });
    // The key goes with every call: a gallery is created through the page.
    await page.getByLabel('Name', { exact: true }).fill('keyed');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Gallery keyed' }).waitFor();
    expect(session.problems.filter((p) => !p.includes('401'))).toEqual([]);
  });
});
