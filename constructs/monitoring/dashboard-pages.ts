import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';

/**
 * Limits a dashboard page is kept within. CloudWatch documents at most 500 widgets per dashboard; it
 * documents no body-size limit, but the body is a property of the stack's template, which CloudFormation
 * caps at 1 MB: pages stay far below both.
 */
export const DASHBOARD_LIMITS = { widgets: 500, defaultWidgetsPerPage: 100, defaultBodyBytesPerPage: 100_000 } as const;

const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** Options of {@link paginateDashboards}. */
export interface DashboardPagesOptions {
  /** Name of the first page; further pages are `<name>-<n>` (n from 2). Letters, digits, `-`, `_`. */
  readonly dashboardName: string;
  /** @default 100 (CloudWatch allows 500; a page of 100 graphs is already slow to load) */
  readonly widgetsPerPage?: number;
  /** Widget JSON bytes per page. @default 100,000 */
  readonly bodyBytesPerPage?: number;
}

/**
 * Lays widget rows out over as many dashboards as they need so that none passes the widget or byte budget.
 * A row (widgets that belong together, e.g. a section title and its graphs) is never split across pages
 * unless it alone exceeds a page; then it fills the current page first. With more than one page, each starts with a line naming every page. The construct ids are
 * `Dashboard`, `Dashboard2`, … so adding pages never renames the first.
 */
export function paginateDashboards(scope: Construct, rows: readonly (readonly cloudwatch.IWidget[])[], options: DashboardPagesOptions): cloudwatch.Dashboard[] {
  const widgetsPerPage = options.widgetsPerPage ?? DASHBOARD_LIMITS.defaultWidgetsPerPage;
  const bodyBytesPerPage = options.bodyBytesPerPage ?? DASHBOARD_LIMITS.defaultBodyBytesPerPage;
  if (!Number.isInteger(widgetsPerPage) || widgetsPerPage < 2 || widgetsPerPage > DASHBOARD_LIMITS.widgets) {
    throw new Error(`${scope.node.path}: widgetsPerPage ${widgetsPerPage} must be a whole number from 2 to ${DASHBOARD_LIMITS.widgets} (one widget of each page names the pages)`);
  }
  const longestName = `${options.dashboardName}-${rows.flat().length + 1}`;
  if (!DASHBOARD_NAME.test(options.dashboardName) || longestName.length > 255) {
    throw new Error(`${scope.node.path}: dashboard name "${options.dashboardName}" must be letters, digits, "-" or "_", short enough for a "-<page>" suffix (255 in all)`);
  }
  const stack = Stack.of(scope);
  const bytes = (widget: cloudwatch.IWidget) => JSON.stringify(stack.resolve(widget.toJson())).length;
  // Room for the page index widget: one widget, and its text grows with the number of pages.
  const room = { widgets: widgetsPerPage - 1, bytes: bodyBytesPerPage - 2_000 };
  const pages: cloudwatch.IWidget[][][] = [[]];
  let used = { widgets: 0, bytes: 0 };
  const fits = (size: { widgets: number; bytes: number }) => used.widgets + size.widgets <= room.widgets && used.bytes + size.bytes <= room.bytes;
  const newPage = () => {
    pages.push([]);
    used = { widgets: 0, bytes: 0 };
  };
  const place = (row: cloudwatch.IWidget[], size: { widgets: number; bytes: number }) => {
    pages[pages.length - 1].push(row);
    used = { widgets: used.widgets + size.widgets, bytes: used.bytes + size.bytes };
  };
  for (const widgets of rows) {
    const sizes = widgets.map(bytes);
    const size = { widgets: widgets.length, bytes: sizes.reduce((sum, value) => sum + value, 0) };
    if (size.widgets <= room.widgets && size.bytes <= room.bytes) {
      if (used.widgets > 0 && !fits(size)) newPage();
      place([...widgets], size);
      continue;
    }
    // A row larger than a page fills the current page, then as many pages as it needs.
    let part: cloudwatch.IWidget[] = [];
    let partSize = { widgets: 0, bytes: 0 };
    widgets.forEach((widget, index) => {
      if (sizes[index] > room.bytes) throw new Error(`${scope.node.path}: one dashboard widget takes ${sizes[index]} bytes, more than a page (${room.bytes})`);
      if (!fits({ widgets: partSize.widgets + 1, bytes: partSize.bytes + sizes[index] })) {
        if (part.length > 0) place(part, partSize);
        newPage();
        part = [];
        partSize = { widgets: 0, bytes: 0 };
      }
      part.push(widget);
      partSize = { widgets: partSize.widgets + 1, bytes: partSize.bytes + sizes[index] };
    });
    if (part.length > 0) place(part, partSize);
  }
  const names = pages.map((_, index) => (index === 0 ? options.dashboardName : `${options.dashboardName}-${index + 1}`));
  return pages.map((page, index) => {
    const dashboard = new cloudwatch.Dashboard(scope, index === 0 ? 'Dashboard' : `Dashboard${index + 1}`, {
      dashboardName: names[index],
      defaultInterval: Duration.hours(6),
    });
    if (names.length > 1) dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `Page ${index + 1} of ${names.length}: ${names.join(', ')}`, width: 24, height: 1 }));
    for (const row of page) dashboard.addWidgets(...row);
    return dashboard;
  });
}

/**
 * Widgets and worst-case bytes of a synthesized `DashboardBody` (a string, or `Fn::Join` with references
 * inside its JSON strings): what a synth-time budget compares with {@link DASHBOARD_LIMITS}. Each reference
 * counts 255 characters.
 */
export function measureDashboardBody(body: unknown): { widgets: number; worstCaseBytes: number } {
  const parts = typeof body === 'string' ? [body] : ((body as { 'Fn::Join'?: [string, unknown[]] })?.['Fn::Join']?.[1] ?? []);
  let text = '';
  for (const part of parts) text += typeof part === 'string' ? part : 'x'.repeat(255);
  const parsed = JSON.parse(text) as { widgets?: unknown[] };
  return { widgets: parsed.widgets?.length ?? 0, worstCaseBytes: Buffer.byteLength(text) };
}
