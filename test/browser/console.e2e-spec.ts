import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { SignedCheckpoint } from '../../apps/audit/src/ledger/domain/checkpoint-signer.js';
import { verifyExport } from '../../apps/audit/src/ledger/queries/verify-export.js';
import { DEV_PEOPLE, type DevPersonKey } from '../../apps/gateway/src/console/dev-people.js';
import { upcomingProgramDates } from '#libs/testing';
import { programBody } from '../support/fixtures.js';
import { CONSOLE_CONFIG, GatewaySystem } from './gateway-system.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = 'artifacts/screenshots';
const STEP_TIMEOUT_MS = 20_000;
/** Run in the page: the outermost elements past the viewport's right edge that no scrolling frame clips. */
const WIDENING = `[...document.querySelectorAll('body *')]
  .filter((el) => {
    if (el.getBoundingClientRect().right <= innerWidth + 1 || el.parentElement.getBoundingClientRect().right > innerWidth + 1) return false;
    for (let a = el.parentElement; a; a = a.parentElement) if (getComputedStyle(a).overflowX !== 'visible') return false;
    return true;
  })
  .map((el) => el.tagName.toLowerCase() + [...el.classList].map((c) => '.' + c).join('') + (el.dataset.testid ? '[' + el.dataset.testid + ']' : ''))
  .join(', ') || 'positioned content'`;

/**
 * A person's path through the web console, in Debian's Chromium: a grant manager drafts and
 * submits a program, a reviewer approves it, the manager requests money, an approver approves
 * and releases it, and an auditor finds it all in the program's timeline with the chain valid.
 */
describe('web console in a browser', () => {
  let system: GatewaySystem;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CONSOLE_CONFIG)) throw new Error(`The console is missing (${CONSOLE_CONFIG}); this test drives it.`);
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`bash scripts/install-chromium.sh\` (Debian's chromium package).`);
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    system = await GatewaySystem.start();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  /** A fresh browser context per person (the console keeps its session per tab), signed in from the people list. */
  async function signIn(person: DevPersonKey, timezoneId?: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('console', (msg) => msg.type() === 'error' && problems.push(`${person}: console: ${msg.text()}`));
    page.on('pageerror', (err) => problems.push(`${person}: page error: ${err.message}`));
    // A funding account and an assessment plan open an event after approval: the console's reads
    // must wait for them, not race them to a 404.
    page.on('request', (req) => {
      if (!/\/(funding-accounts|assessments\/plans)\//.test(req.url())) return;
      if (!/wait=\d+/.test(req.headers()['prefer'] ?? '')) problems.push(`${person}: ${req.url()} asked without Prefer: wait`);
      // A validator the browser's cache adds would hold the read until the account changes, not until it exists.
      void req.allHeaders().then(
        (headers) => headers['if-none-match'] && problems.push(`${person}: ${req.url()} held as a conditional read (If-None-Match ${headers['if-none-match']})`),
        () => undefined,
      );
    });
    await page.goto(`${system.url}/`);
    await page.getByTestId(`signin-${DEV_PEOPLE[person].sub}`).click();
    await page.getByTestId('current-user').waitFor();
    return page;
  }

  /** A call to the API as a person, outside the browser (setting the scene). */
  const api = async (person: DevPersonKey, method: string, path: string, body?: object) => {
    const res = await fetch(`${system.url}${path}`, {
      method,
      headers: { ...system.sys.auth(DEV_PEOPLE[person]), 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { id: string; status: string; items: Array<{ id: string }> } };
  };

  /** Clicks a download button and returns where the browser saved the file. */
  async function downloaded(page: Page, testId: string): Promise<string> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
    expect(await download.failure()).toBeNull();
    return (await download.path())!;
  }

  async function openProgram(page: Page, programId: string): Promise<void> {
    await page.goto(`${system.url}/#/programs/${programId}`);
    await page.locator(`[data-testid="page-program"][data-program-id="${programId}"]`).waitFor();
  }

  const programStatus = (page: Page, status: string) => page.locator(`[data-testid="program-status"][data-status="${status}"]`).waitFor();
  const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });

  it('takes a program from draft to a released disbursement, visible to the auditor', async () => {
    const manager = await signIn('manager');
    await shot(manager, '01-signed-in-grant-manager');
    await manager.goto(`${system.url}/#/programs/new`);
    const field = (name: string) => manager.getByTestId(`field-${name}`);
    await field('title').fill('Clean water for schools in Quiché');
    await field('summary').fill('Water points and hygiene training in rural schools with high out-migration.');
    await field('country').selectOption('GT');
    await field('pillar').selectOption('I');
    await field('targetAreas').fill('Quiché');
    await field('implementingPartner.name').fill('Agua para Todos');
    await field('implementingPartner.registrationId').fill('GT-120034');
    // At the high-value threshold: two reviewers must approve.
    await field('budget').fill('5000000');
    const dates = upcomingProgramDates(364);
    await field('startDate').fill(dates.startDate);
    await field('endDate').fill(dates.endDate);
    await field('objectives.0.description').fill('Give rural schools safe drinking water');
    await field('objectives.0.indicators.0.name').fill('Schools with a working water point');
    await field('objectives.0.indicators.0.unit').fill('schools');
    await field('objectives.0.indicators.0.baseline').fill('0');
    await field('objectives.0.indicators.0.target').fill('80');
    await shot(manager, '02-program-form');
    await manager.getByTestId('action-save').click();
    const page = manager.getByTestId('page-program');
    await page.waitFor();
    const programId = (await page.getAttribute('data-program-id'))!;
    await programStatus(manager, 'DRAFT');
    await manager.getByTestId('action-submit').click();
    await programStatus(manager, 'UNDER_REVIEW');
    await shot(manager, '03-program-under-review');
    // Another manager's 26 drafts: each column counts and pages its own programs, not a slice of one page of all.
    for (let i = 1; i <= 26; i += 1) {
      expect((await api('manager2', 'POST', '/programs', programBody({ title: `Draft ${i} of a busy portfolio` }))).status).toBe(201);
    }
    await manager.goto(`${system.url}/#/programs`);
    const draftColumn = manager.getByTestId('column-DRAFT');
    await draftColumn.locator('.count', { hasText: '25+' }).waitFor();
    await manager.getByTestId(`program-card-${programId}`).waitFor();
    await manager.getByTestId('action-more-DRAFT').click();
    await draftColumn.locator('.count', { hasText: /^26$/ }).waitFor();
    expect(await draftColumn.locator('.card').count()).toBe(26);
    // The board narrows to the manager's own programs.
    await manager.getByTestId('field-filter-mine').check();
    await draftColumn.locator('.count', { hasText: /^0$/ }).waitFor();
    await manager.getByTestId(`program-card-${programId}`).waitFor();

    const reviewer = await signIn('reviewer');
    // The navigation counts what waits for this person: the one review open.
    expect(await reviewer.getByTestId('nav-count-reviews').textContent()).toBe('1');
    await openProgram(reviewer, programId);
    await reviewer.getByTestId('action-open-review').click();
    await reviewer.getByTestId('page-review').waitFor();
    await reviewer.getByTestId('field-decision-APPROVE').check();
    await reviewer.getByTestId('field-rationale').fill('Measurable objectives, a clean partner and a priority area: approve.');
    await shot(reviewer, '04-review-decision');
    await reviewer.getByTestId('action-decide').click();
    await reviewer.getByTestId('flash').waitFor();
    // The first approval leaves the review to a different reviewer, and the console says so.
    expect(await reviewer.getByTestId('decision-not-yours').textContent()).toContain('a second, different reviewer must');
    const secondReviewer = await signIn('reviewer2');
    await openProgram(secondReviewer, programId);
    await secondReviewer.getByTestId('action-open-review').click();
    await secondReviewer.getByTestId('field-decision-APPROVE').check();
    await secondReviewer.getByTestId('field-rationale').fill('Second approval for a high-value program: the checks hold.');
    await secondReviewer.getByTestId('action-decide').click();
    await openProgram(reviewer, programId);
    await programStatus(reviewer, 'APPROVED');
    // The history names whose decision approved it, not only the service that applied it.
    expect(await reviewer.getByTestId('history-who').last().textContent()).toBe(`${DEV_PEOPLE.reviewer2.name} (applied by system:proposals)`);
    expect(await reviewer.getByTestId('history-who').first().textContent()).toBe(DEV_PEOPLE.manager.name);
    expect(await reviewer.getByTestId('program-drafted-by').textContent()).toContain(DEV_PEOPLE.manager.name);

    // The scheduler calls an assessment now; the reviewer records its outcome against the program's indicator.
    const scheduler = await signIn('scheduler');
    await scheduler.goto(`${system.url}/#/assessments`);
    await scheduler.getByTestId('field-trigger-programId').locator(`option[value="${programId}"]`).waitFor({ state: 'attached' });
    await scheduler.getByTestId('field-trigger-programId').selectOption(programId);
    await scheduler.getByTestId('field-trigger-reason').fill('Field visit after reports of delays in two schools.');
    await scheduler.getByTestId('action-trigger-assessment').click();
    await scheduler.getByTestId('flash').waitFor();
    // A scheduler answering for one country sees its points alone.
    const triggered = scheduler.locator(`[data-testid^="assessment-row-"][data-program-id="${programId}"][data-status="DUE"]`);
    await triggered.waitFor();
    await scheduler.getByTestId('field-calendar-country').selectOption('HN');
    await triggered.waitFor({ state: 'detached' });
    await scheduler.getByTestId('field-calendar-country').selectOption('GT');
    await triggered.waitFor();
    await openProgram(reviewer, programId);
    await reviewer.locator('[data-testid^="assessment-row-"][data-status="DUE"]').getByTestId('action-record-outcome').click();
    const outcome = reviewer.getByTestId('action-dialog');
    expect(await outcome.textContent()).toContain('Schools with a working water point (schools)Baseline 0, target 80.');
    await outcome.getByTestId('field-narrative').fill('Eleven schools have a working water point; on track for the year.');
    await outcome.getByTestId('field-indicator-0').fill('11');
    await outcome.getByTestId('action-confirm').click();
    await reviewer.locator('[data-testid^="assessment-row-"][data-status="COMPLETED"]').waitFor();
    expect(await reviewer.getByTestId('assessment-recorded-by').textContent()).toMatch(new RegExp(`^Recorded by ${DEV_PEOPLE.reviewer.name}, `));

    await openProgram(manager, programId);
    await manager.getByTestId('disbursement-form').waitFor();
    // More than the account holds is stopped at the form, in dollars.
    await manager.getByTestId('field-amount').fill('6,000,000');
    await manager.getByTestId('field-purpose').fill('Everything at once');
    await manager.getByTestId('action-request-disbursement').click();
    expect(await manager.getByTestId('error-amount').textContent()).toBe('Only $5,000,000.00 is available.');
    await manager.getByTestId('field-amount').fill('45000');
    await manager.getByTestId('field-purpose').fill('First tranche: water tanks for 20 schools');
    await manager.getByTestId('action-request-disbursement').click();
    await manager.locator('[data-testid^="disbursement-row-"][data-status="REQUESTED"]').waitFor();
    await shot(manager, '05-disbursement-requested');
    expect(await manager.getByTestId('disbursement-requester').textContent()).toBe(DEV_PEOPLE.manager.name);
    // Printed for the file, the page is the record alone: no navigation, buttons or forms.
    const onScreen = [manager.getByRole('navigation', { name: 'Main' }), manager.getByTestId('disbursement-form'), manager.getByTestId('action-cancel-disbursement')];
    const visible = () => Promise.all(onScreen.map((part) => part.isVisible()));
    expect(await visible()).toEqual([true, true, true]);
    await manager.emulateMedia({ media: 'print' });
    expect(await visible()).toEqual([false, false, false]);
    expect(await manager.getByTestId('status-history').isVisible()).toBe(true);
    expect(await manager.getByTestId('disbursement-requester').isVisible()).toBe(true);
    expect(await manager.getByTestId('print-footer').textContent()).toMatch(
      new RegExp(`^Printed from Cuentas for ${DEV_PEOPLE.manager.name} \\(${DEV_PEOPLE.manager.org}\\) on .+\\. Times in .+\\.$`),
    );
    await manager.emulateMedia({ media: 'screen' });
    expect(await manager.getByTestId('print-footer').isVisible()).toBe(false);

    const approver = await signIn('approver');
    expect(await approver.getByTestId('nav-count-approvals').textContent()).toBe('1');
    await openProgram(approver, programId);
    const row = approver.locator('[data-testid^="disbursement-row-"]');
    await row.getByTestId('action-approve').click();
    await approver.getByTestId('action-dialog').getByTestId('action-confirm').click();
    await approver.locator('[data-testid^="disbursement-row-"][data-status="APPROVED"]').waitFor();
    await row.getByTestId('action-release').click();
    await approver.getByTestId('field-paymentReference').fill('WIRE-2027-000777');
    await approver.getByTestId('action-dialog').getByTestId('action-confirm').click();
    await approver.locator('[data-testid^="disbursement-row-"][data-status="RELEASED"]').waitFor();
    await shot(approver, '06-disbursement-released');
    // Finance reconciles with the bank from the released payments, on screen and as a CSV.
    await approver.goto(`${system.url}/#/approvals`);
    await approver.getByTestId('released-table').locator('tr', { hasText: 'WIRE-2027-000777' }).waitFor();
    const released = (await readFile(await downloaded(approver, 'action-download-released'), 'utf8')).split('\r\n');
    expect(released[0]).toBe(
      'releasedAt,paymentReference,amountCents,amountUsd,programId,program,disbursementId,purpose,requestedBy,approvedBy,releasedBy,requestedByName,approvedByNames,releasedByName',
    );
    expect(released[1]).toContain(`,WIRE-2027-000777,4500000,45000.00,${programId},Clean water for schools in Quiché,`);
    const { manager: requester, approver: finance } = DEV_PEOPLE;
    expect(released[1]).toMatch(new RegExp(`,${requester.sub},${finance.sub},${finance.sub},${requester.name},${finance.name},${finance.name}$`));
    // On screen people are named as their tokens named them, the id a hover away.
    const releasedBy = approver.getByTestId('released-table').locator('tr', { hasText: 'WIRE-2027-000777' }).locator(`[data-person="${finance.sub}"]`);
    expect(await releasedBy.textContent()).toBe(finance.name);
    expect(await releasedBy.getAttribute('title')).toBe(finance.sub);
    // Finance paying for one country sees its payments alone (the program is Guatemala's).
    const releasedRow = approver.getByTestId('released-table').locator('tr', { hasText: 'WIRE-2027-000777' });
    await approver.getByTestId('field-approvals-country').selectOption('HN');
    await releasedRow.waitFor({ state: 'detached' });
    await approver.getByTestId('field-approvals-country').selectOption('GT');
    await releasedRow.waitFor();

    const auditor = await signIn('auditor');
    // The overview reads the portfolio's accounts in one list, not one read per program.
    const accountReads: string[] = [];
    auditor.on('request', (req) => void (req.url().includes('/funding-accounts') && accountReads.push(new URL(req.url()).pathname)));
    await auditor.reload();
    await auditor.getByTestId('kpi-budget').waitFor();
    expect(accountReads).toContain('/funding-accounts');
    expect(accountReads.filter((path) => path !== '/funding-accounts')).toEqual([]);
    // The portfolio leaves for reports as a CSV, one line per program with its money.
    const portfolio = (await readFile(await downloaded(auditor, 'action-download-portfolio'), 'utf8')).split('\r\n');
    expect(portfolio[0]).toBe('programId,title,country,pillar,status,implementingPartner,startDate,endDate,budgetCents,reservedCents,releasedCents,availableCents,holds,createdBy,createdByName');
    expect(portfolio.find((line) => line.startsWith(programId))).toBe(
      `${programId},Clean water for schools in Quiché,GT,I,APPROVED,Agua para Todos,${dates.startDate},${dates.endDate},500000000,0,4500000,495500000,,${DEV_PEOPLE.manager.sub},${DEV_PEOPLE.manager.name}`,
    );
    await openProgram(auditor, programId);
    await auditor.locator('[data-testid="timeline-row"][data-type="disbursement.released"]').waitFor({ timeout: 30_000 });
    for (const type of ['program.drafted', 'program.submitted', 'review.completed', 'program.approved', 'disbursement.approved']) {
      expect(await auditor.locator(`[data-testid="timeline-row"][data-type="${type}"]`).count()).toBeGreaterThan(0);
    }
    await shot(auditor, '07-auditor-timeline');
    // From the timeline to the explorer with everything about the program, from every service, and out as one file.
    await auditor.getByTestId('action-open-in-explorer').click();
    await auditor.locator('[data-testid="audit-row"][data-type="disbursement.released"]').waitFor();
    const evidence = (await readFile(await downloaded(auditor, 'action-export-ndjson'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; aggregateId: string; payload: { programId?: string } });
    expect(evidence.map((e) => e.type)).toEqual(expect.arrayContaining(['program.drafted', 'review.completed', 'disbursement.released']));
    expect(evidence.every((e) => e.aggregateId === programId || e.payload.programId === programId)).toBe(true);
    await auditor.getByTestId('action-clear').click();
    await auditor.goto(`${system.url}/#/audit`);
    await auditor.locator('[data-testid="verify-badge"][data-valid="true"]').waitFor();
    await shot(auditor, '08-audit-verified');
    // The latest entries come first; in seq order on request.
    const seqs = async () => (await auditor.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))))).slice(0, 3);
    await auditor.getByTestId('audit-row').first().waitFor();
    const newest = await seqs();
    expect(newest).toEqual([...newest].sort((a, b) => b - a));
    await auditor.getByTestId('field-newest-first').uncheck();
    await auditor.locator('[data-testid="audit-row"][data-seq="1"]').waitFor();
    expect(await seqs()).toEqual([1, 2, 3]);
    expect(await auditor.getByTestId('unrecorded-table').count()).toBe(0);

    // The evidence leaves Cuentas: the head, copied as an anchor to keep elsewhere, and the export
    // and the signed checkpoints, which verify away from it.
    await auditor.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await auditor.getByTestId('action-copy-anchor').click();
    await auditor.getByTestId('integrity').getByTestId('flash').waitFor();
    const anchor = await auditor.evaluate<string>('navigator.clipboard.readText()');
    expect(anchor).toBe(`${await auditor.getByTestId('head-seq').textContent()}:${await auditor.getByTestId('head-hash').textContent()}`);
    const [anchorSeq, anchorHash] = anchor.split(':');
    const exported = await downloaded(auditor, 'action-export-ndjson');
    const saved = JSON.parse(await readFile(await downloaded(auditor, 'action-download-checkpoints'), 'utf8')) as {
      items: SignedCheckpoint[];
      publicKey: string;
    };
    const report = await verifyExport(createInterface({ input: createReadStream(exported, 'utf8'), crlfDelay: Infinity }), {
      checkpoints: saved.items,
      publicKeyPem: saved.publicKey,
      anchors: [{ seq: Number(anchorSeq), hash: anchorHash }],
    });
    expect(report).toMatchObject({ valid: true, fromSeq: 1, firstInvalidSeq: null, anchors: 1 });
    expect(report.checked).toBeGreaterThan(10);
    expect(report.checkpoints).toBeGreaterThan(0);

    // A source reports a head far above its newest entry: the auditor sees what audit still awaits.
    await system.sys.query(
      `INSERT INTO audit.source_heads (source, head_seq, reported_at) VALUES ('assessments', 900000, now())
       ON CONFLICT (source) DO UPDATE SET head_seq = excluded.head_seq`,
    );
    await auditor.getByTestId('action-verify').click();
    const awaited = auditor.getByTestId('unrecorded-table').locator('tbody tr');
    await awaited.filter({ hasText: '900000' }).waitFor();
    expect(await awaited.first().locator('td').first().textContent()).toBe('assessments');
    await auditor.locator('[data-testid="verify-badge"][data-valid="true"]').waitFor();

    // The partner is debarred after approval: an admin lists it, and the manager sees the funds held and why.
    const admin = await signIn('admin');
    await admin.goto(`${system.url}/#/admin`);
    await admin.getByTestId('field-party-name').fill('AGUA PARA TODOS S.A.');
    await admin.getByTestId('field-party-reason').fill('Debarred for falsified invoices (fictional).');
    await admin.getByTestId('field-party-source').fill('Test debarment list');
    await admin.getByTestId('action-add-party').click();
    await admin.locator('[data-testid^="party-row-"]', { hasText: 'AGUA PARA TODOS S.A.' }).waitFor();
    // Found again as the check compares names (case, accents, legal suffix), and only it.
    await admin.getByTestId('field-party-search').fill('agua para todos, sociedad anónima');
    await admin.getByTestId('parties-table').locator('[data-testid^="party-row-"]', { hasText: 'AGUA PARA TODOS S.A.' }).waitFor();
    expect(await admin.getByTestId('parties-table').locator('[data-testid^="party-row-"]').count()).toBe(1);
    await admin.getByTestId('field-party-search').fill('');
    await openProgram(manager, programId);
    await manager.getByTestId('hold-PARTNER_RESTRICTED').waitFor({ timeout: 30_000 });
    expect(await manager.getByTestId('restricting-party').textContent()).toContain('AGUA PARA TODOS S.A.: Debarred for falsified invoices (fictional).');
    await shot(manager, '09-partner-restricted');

    // Requests may still be made; finance sees why it cannot approve one before trying.
    await manager.getByTestId('field-amount').fill('20000');
    await manager.getByTestId('field-purpose').fill('Second tranche: hygiene training');
    await manager.getByTestId('action-request-disbursement').click();
    await manager.locator('[data-testid^="disbursement-row-"][data-status="REQUESTED"]').waitFor();
    await approver.goto(`${system.url}/#/approvals`);
    const held = approver.getByTestId('queue-REQUESTED').locator('[data-testid^="disbursement-row-"]', { hasText: 'Second tranche' });
    await held.getByTestId('action-blocked').filter({ hasText: 'partner restricted' }).waitFor();
    expect(await held.getByTestId('action-approve').isDisabled()).toBe(true);
    expect(await held.getByTestId('action-reject').isDisabled()).toBe(false);
    // Finance rejects it, and the manager reads who did and why beside the request.
    await held.getByTestId('action-reject').click();
    await approver.getByTestId('field-reason').fill('The partner is debarred: no further payments.');
    await approver.getByTestId('action-dialog').getByTestId('action-confirm').click();
    await openProgram(manager, programId);
    const ending = manager.locator('[data-testid^="disbursement-row-"][data-status="REJECTED"]').getByTestId('disbursement-ending');
    await ending.waitFor();
    expect(await ending.textContent()).toMatch(new RegExp(`^Rejected by ${DEV_PEOPLE.approver.name}, .+: “The partner is debarred: no further payments\\.”$`));

    // Two admins edit Guatemala's priority areas at once: the later save is refused and says why,
    // rather than silently undoing the other's change; saving again, knowingly, goes through.
    const otherAdmin = await signIn('admin');
    await otherAdmin.goto(`${system.url}/#/admin`);
    const areas = (page: Page) => page.getByTestId('field-areas');
    const currentAreas = (page: Page, area: string) => page.getByTestId('current-areas').filter({ hasText: area }).waitFor();
    await areas(admin).waitFor();
    await areas(otherAdmin).fill(`${await areas(otherAdmin).inputValue()}\nPetén`);
    await otherAdmin.getByTestId('action-save-areas').click();
    await currentAreas(otherAdmin, 'Petén');
    await areas(admin).fill(`${await areas(admin).inputValue()}\nIzabal`);
    const seen = problems.length;
    await admin.getByTestId('action-save-areas').click();
    await admin.getByTestId('areas-stale').waitFor();
    // The refusal is the one problem the browser reports for this step.
    expect(problems.splice(seen)).toEqual(['admin: console: Failed to load resource: the server responded with a status of 409 (Conflict)']);
    expect(await admin.getByTestId('api-error-code').textContent()).toBe('STALE_VERSION');
    await currentAreas(admin, 'Petén');
    await shot(admin, '10-priority-areas-stale');
    await admin.getByTestId('action-save-areas').click();
    await currentAreas(admin, 'Izabal');
    expect(await admin.getByTestId('current-areas').textContent()).not.toContain('Petén');

    // The admin lowers the high-value threshold; the console says who set it, and so does the ledger.
    const highValue = admin.getByTestId('threshold-high-value');
    expect(await highValue.textContent()).toContain('$5,000,000.00, the configured default');
    await admin.getByTestId('field-threshold-high-value-amount').fill('4,000,000');
    await admin.getByTestId('action-save-threshold-high-value').click();
    await highValue.filter({ hasText: `$4,000,000.00, set by ${DEV_PEOPLE.admin.sub}` }).waitFor();
    await shot(admin, '11-thresholds');

    expect(problems).toEqual([]);
  }, 180_000);

  it('keeps what the review asked for in view while the manager revises', async () => {
    const { body: program } = await api('manager', 'POST', '/programs', programBody({ title: 'Safe routes to school in Chalatenango' }));
    expect((await api('manager', 'POST', `/programs/${program.id}/submit`, {})).status).toBe(200);
    const reviewId = await system.sys.eventually(async () => (await api('reviewer', 'GET', `/reviews?programId=${program.id}`)).body.items[0].id);
    const rationale = 'Add a baseline count of incidents on the routes before approval.';
    expect((await api('reviewer', 'POST', `/reviews/${reviewId}/decisions`, { decision: 'REQUEST_REVISION', rationale })).status).toBe(200);
    await system.sys.eventually(async () => expect((await api('manager', 'GET', `/programs/${program.id}`)).body.status).toBe('REVISION_REQUESTED'));

    const manager = await signIn('manager');
    expect(await manager.getByTestId('nav-count-programs').textContent()).toBe('1');
    await manager.goto(`${system.url}/#/programs/${program.id}/edit`);
    const asked = manager.getByTestId('revision-asked');
    await asked.waitFor();
    expect(await asked.textContent()).toContain(`(${DEV_PEOPLE.reviewer.name}, `);
    expect(await asked.textContent()).toContain(rationale);
    expect(problems).toEqual([]);
  }, 60_000);

  it("tells a reviewer from the partner's own organisation that the decision is not theirs, as the service would", async () => {
    const partner = { name: `${DEV_PEOPLE.reviewer.org}, S.A.`, registrationId: 'GT-555001', country: 'GT' };
    const { body: program } = await api('manager', 'POST', '/programs', programBody({ title: 'Community mediation in Sololá', implementingPartner: partner }));
    await api('manager', 'POST', `/programs/${program.id}/submit`, {});
    const reviewId = await system.sys.eventually(async () => (await api('reviewer', 'GET', `/reviews?programId=${program.id}`)).body.items[0].id);
    const reviewer = await signIn('reviewer');
    await reviewer.goto(`${system.url}/#/reviews/${reviewId}`);
    expect(await reviewer.getByTestId('decision-not-yours').textContent()).toBe('Your organisation is the implementing partner: a conflict of interest.');
    // The service agrees: the same decision through the API is refused for the same reason.
    const refused = await api('reviewer', 'POST', `/reviews/${reviewId}/decisions`, { decision: 'APPROVE', rationale: 'Trying anyway, to see the refusal.' });
    expect(refused).toMatchObject({ status: 403, body: { code: 'CONFLICT_OF_INTEREST' } });
    expect(problems).toEqual([]);
  }, 60_000);

  /** Through the API: a program approved by its review, with a disbursement request waiting for finance. */
  async function approvedWithRequest(overrides: Parameters<typeof programBody>[0]): Promise<{ programId: string; reviewId: string; requestId: string }> {
    const { body: program } = await api('manager', 'POST', '/programs', programBody(overrides));
    await api('manager', 'POST', `/programs/${program.id}/submit`, {});
    const reviewId = await system.sys.eventually(async () => (await api('reviewer', 'GET', `/reviews?programId=${program.id}`)).body.items[0].id);
    const rationale = 'Measurable objectives, a clean partner and a priority area.';
    expect((await api('reviewer', 'POST', `/reviews/${reviewId}/decisions`, { decision: 'APPROVE', rationale })).status).toBe(200);
    // The funding account opens on the approval's event; a request before it is a 404, asked again.
    const request = await system.sys.eventually(async () => {
      const res = await api('manager', 'POST', '/disbursements', { programId: program.id, amountCents: 1_000_000, purpose: 'First tranche of training' });
      expect(res.status).toBe(201);
      return res.body;
    });
    return { programId: program.id, reviewId, requestId: request.id };
  }

  it("holds back an approver from the partner's own organisation, as the service does", async () => {
    const partner = { name: DEV_PEOPLE.approver.org, registrationId: 'GT-555002', country: 'GT' };
    const { requestId } = await approvedWithRequest({ title: 'Audit capacity for municipalities', implementingPartner: partner });
    const request = { id: requestId };
    const approver = await signIn('approver');
    await approver.goto(`${system.url}/#/approvals`);
    const row = approver.getByTestId(`disbursement-row-${request.id}`);
    expect(await row.getByTestId('action-blocked').textContent()).toBe('Your organisation is the implementing partner: a conflict of interest.');
    expect(await row.getByTestId('action-approve').isDisabled()).toBe(true);
    const refused = await api('approver', 'POST', `/disbursements/${request.id}/approve`, {});
    expect(refused).toMatchObject({ status: 403, body: { code: 'CONFLICT_OF_INTEREST' } });
    expect(problems).toEqual([]);
  }, 60_000);

  /**
   * Section 508 asks federal systems for WCAG 2.1 AA: axe-core checks every page each role uses,
   * loaded with data, and the dialogs and error states people meet, and every violation fails.
   * Each page must also reflow at 320 CSS pixels (a phone, or 400% zoom) without the page itself
   * scrolling sideways; a wide table may scroll inside its own frame.
   */
  it('meets WCAG 2.1 AA on every page, for every role, with its dialogs and errors (axe-core)', async () => {
    const { programId, reviewId } = await approvedWithRequest({ title: 'Literacy circles in Totonicapán' });
    // A review still open, so its decision form is on the page.
    const { body: submitted } = await api('manager', 'POST', '/programs', programBody({ title: 'Reading corners in Sacatepéquez' }));
    await api('manager', 'POST', `/programs/${submitted.id}/submit`, {});
    const openReviewId = await system.sys.eventually(async () => (await api('reviewer', 'GET', `/reviews?programId=${submitted.id}`)).body.items[0].id);
    const violations: string[] = [];
    const check = async (page: Page, where: string) => {
      await page.getByRole('status').filter({ hasText: /^Loading / }).first().waitFor({ state: 'detached' });
      const { violations: found } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      for (const v of found) violations.push(`${where}: ${v.id} (${v.impact}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      const size = page.viewportSize();
      await page.setViewportSize({ width: 320, height: 800 });
      // Charts redraw for the new width a moment after the resize.
      const reflowed = await page.waitForFunction('document.documentElement.scrollWidth <= 320', undefined, { timeout: 3_000 }).then(() => true, () => false);
      if (!reflowed) {
        const pageWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
        violations.push(`${where}: reflow: the page is ${pageWidth} px wide at 320, widened by ${await page.evaluate<string>(WIDENING)}`);
      }
      if (size) await page.setViewportSize(size);
    };
    const pages = new Map<DevPersonKey, Page>();
    const visit = async (person: DevPersonKey, path: string, testId: string) => {
      if (!pages.has(person)) pages.set(person, await signIn(person));
      const page = pages.get(person)!;
      await page.goto(`${system.url}/#${path}`);
      await page.getByTestId(testId).waitFor();
      await check(page, `${path} as ${person}`);
      return page;
    };

    const anonymous = await (await browser.newContext()).newPage();
    await anonymous.goto(`${system.url}/`);
    await anonymous.getByTestId('people-chooser').waitFor();
    await check(anonymous, 'sign-in');

    await visit('manager', '/', 'page-overview');
    await visit('manager', '/programs', 'page-programs');
    await visit('manager', `/programs/${programId}`, 'page-program');
    const manager = await visit('manager', '/programs/new', 'page-program-form');
    // The form's errors, as a person meets them after sending it empty.
    await manager.getByTestId('action-save').click();
    await manager.locator('[data-testid^="error-"]').first().waitFor();
    await check(manager, 'program form with errors');
    // Save is at the bottom of a long form: the keyboard is taken to the first field to fix.
    await manager.waitForFunction(`document.activeElement?.getAttribute('data-testid') === 'field-title'`);

    const queue = await visit('reviewer', '/reviews', 'page-reviews');
    // A reviewer answering for one country sees its reviews alone (the program is Guatemala's).
    const waiting = queue.getByTestId(`review-row-${openReviewId}`);
    await waiting.waitFor();
    await queue.getByTestId('field-reviews-country').selectOption('SV');
    await waiting.waitFor({ state: 'detached' });
    await queue.getByTestId('field-reviews-country').selectOption('GT');
    await waiting.waitFor();
    await visit('reviewer', `/reviews/${reviewId}`, 'page-review');
    const reviewer = await visit('reviewer', `/reviews/${openReviewId}`, 'page-review');
    expect(await reviewer.getByTestId('field-rationale').count()).toBe(1);
    const approver = await visit('approver', '/approvals', 'page-approvals');
    const approve = approver.locator('[data-testid^="disbursement-row-"] [data-testid="action-approve"]:enabled').first();
    await approve.click();
    const dialog = approver.getByTestId('action-dialog');
    await dialog.waitFor();
    await check(approver, 'approve dialog');
    // From the keyboard: however far one tabs, the focus never reaches the page behind the dialog
    // (past its last field it may leave for the browser's own controls, as a native modal lets it),
    // Escape closes it, and the focus goes back to the button that opened it.
    // (Strings: the page's DOM is not in this file's types.)
    const focused = () =>
      approver.evaluate<string>(`document.activeElement === document.body ? 'none' : document.activeElement?.closest('[data-testid="action-dialog"]') ? 'dialog' : 'page'`);
    expect(await focused()).toBe('dialog');
    const seen = new Set<string>();
    for (let i = 0; i < 8; i += 1) {
      await approver.keyboard.press('Tab');
      seen.add(await focused());
    }
    expect(seen).not.toContain('page');
    expect(seen).toContain('dialog');
    await approver.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await approver.evaluate<string>(`document.activeElement?.getAttribute('data-testid')`)).toBe('action-approve');
    // A scheduler in Guatemala City reads every time in Guatemala's zone, and is told so.
    pages.set('scheduler', await signIn('scheduler', 'America/Guatemala'));
    const scheduler = await visit('scheduler', '/assessments', 'page-assessments');
    expect(await scheduler.getByTestId('time-zone').textContent()).toBe('Times in America/Guatemala (UTC-06:00)');
    await visit('auditor', '/audit', 'page-audit');
    await visit('auditor', `/programs/${programId}`, 'page-program');
    await visit('admin', '/admin', 'page-admin');

    expect(violations).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);
});
