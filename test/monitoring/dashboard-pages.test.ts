import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { describe, expect, it } from 'vitest';
import { measureDashboardBody, paginateDashboards } from '../../constructs/monitoring';
import { constructStack, templateOf } from '../support/construct-stack';

const text = (label: string, padding = 0) => new cloudwatch.TextWidget({ markdown: `${label}${' '.repeat(padding)}`, width: 6, height: 1 });
const row = (label: string, widgets: number, padding = 0) => Array.from({ length: widgets }, (_, index) => text(`${label}.${index}`, padding));

/** Per page in order: its name and the labels of its widgets (the page index first). */
function pages(stack: ReturnType<typeof constructStack>) {
  return Object.values(templateOf(stack).findResources('AWS::CloudWatch::Dashboard')).map((dashboard) => {
    const body = JSON.parse(stack.resolve(dashboard.Properties.DashboardBody)) as { widgets: { properties: { markdown: string } }[] };
    return { name: dashboard.Properties.DashboardName as string, widgets: body.widgets.map((widget) => widget.properties.markdown.trim()) };
  });
}

describe('paginateDashboards', () => {
  it('keeps a row on one page, opening a new page when the row would not fit', () => {
    const stack = constructStack();
    paginateDashboards(stack, [row('a', 4), row('b', 4), row('c', 2)], { dashboardName: 'shard', widgetsPerPage: 7 });
    expect(pages(stack)).toEqual([
      { name: 'shard', widgets: ['Page 1 of 2: shard, shard-2', 'a.0', 'a.1', 'a.2', 'a.3'] },
      { name: 'shard-2', widgets: ['Page 2 of 2: shard, shard-2', 'b.0', 'b.1', 'b.2', 'b.3', 'c.0', 'c.1'] },
    ]);
  });

  it('splits a row that alone exceeds a page, filling the current page first', () => {
    const stack = constructStack();
    paginateDashboards(stack, [row('a', 2), row('b', 7)], { dashboardName: 'shard', widgetsPerPage: 5 });
    expect(pages(stack).map((page) => page.widgets.slice(1))).toEqual([
      ['a.0', 'a.1', 'b.0', 'b.1'],
      ['b.2', 'b.3', 'b.4', 'b.5'],
      ['b.6'],
    ]);
  });

  it('opens a new page when the widget bytes would pass the byte budget', () => {
    const stack = constructStack();
    paginateDashboards(stack, [row('a', 1, 1_500), row('b', 1, 1_500)], { dashboardName: 'shard', bodyBytesPerPage: 4_000 });
    expect(pages(stack).map((page) => page.name)).toEqual(['shard', 'shard-2']);
  });

  it('draws one page, without a page index, when everything fits', () => {
    const stack = constructStack();
    paginateDashboards(stack, [row('a', 2)], { dashboardName: 'shard' });
    expect(pages(stack)).toEqual([{ name: 'shard', widgets: ['a.0', 'a.1'] }]);
  });

  it('measures a synthesized page: its widgets, and its bytes with each reference at 255 characters', () => {
    const stack = constructStack();
    const metric = new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors', dimensionsMap: { Stack: stack.stackName } });
    paginateDashboards(stack, [[new cloudwatch.GraphWidget({ left: [metric] }), text('a')]], { dashboardName: 'shard' });
    const [dashboard] = Object.values(templateOf(stack).findResources('AWS::CloudWatch::Dashboard'));
    const body = dashboard.Properties.DashboardBody;
    const references = body['Fn::Join'][1].filter((part: unknown) => typeof part !== 'string').length;
    expect(references).toBeGreaterThan(0);
    const literal = body['Fn::Join'][1].filter((part: unknown) => typeof part === 'string').join('').length;
    expect(measureDashboardBody(body)).toEqual({ widgets: 2, worstCaseBytes: literal + 255 * references });
  });

  it('refuses a page size outside 2-500 widgets and a name CloudWatch would refuse', () => {
    const stack = constructStack();
    expect(() => paginateDashboards(stack, [], { dashboardName: 'shard', widgetsPerPage: 501 })).toThrow('widgetsPerPage 501 must be a whole number from 2 to 500');
    expect(() => paginateDashboards(stack, [], { dashboardName: 'shard', widgetsPerPage: 1 })).toThrow('widgetsPerPage 1');
    expect(() => paginateDashboards(stack, [], { dashboardName: 'shard pages' })).toThrow('dashboard name "shard pages" must be letters, digits');
  });
});
