import { describe, expect, it } from 'vitest';
import { ipv4CidrProblem } from '../../constructs/common/validators/cidr';
import { Duration, Lazy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { assertScheduleExpression, scheduleExpressionProblem } from '../../constructs/common/validators/schedule-expression';

describe('schedule expressions are checked the way AWS parses them', () => {
  it.each([
    'cron(0 5 ? * SUN *)',
    'cron(0 5 1 * ? *)',
    'cron(0/15 * ? * MON-FRI *)',
    'cron(0 12 L * ? *)',
    'cron(0 8 ? * 6#3 *)',
    'cron(0 3 15W * ? 2027)',
    'cron(30 2 ? JAN-MAR 2L *)',
    'cron(0,30 8-18 ? * 2-6 *)',
    'rate(1 hour)',
    'rate(5 minutes)',
    'rate(1 day)',
  ])('accepts %s', (expression) => {
    expect(scheduleExpressionProblem(expression)).toBeUndefined();
  });

  it.each([
    ['cron(0 5 * * *)', 'has 5 fields; AWS cron takes six: minutes hours day-of-month month day-of-week year, e.g. cron(0 5 ? * SUN *)'],
    ['cron(0 5 * * SUN *)', 'must have "?" in exactly one of day-of-month and day-of-week (AWS refuses both or neither), e.g. cron(0 5 ? * SUN *) or cron(0 5 1 * ? *)'],
    ['cron(0 5 ? * ? *)', 'must have "?" in exactly one of day-of-month and day-of-week (AWS refuses both or neither), e.g. cron(0 5 ? * SUN *) or cron(0 5 1 * ? *)'],
    ['cron(60 5 ? * SUN *)', 'minutes field "60" has 60, outside 0-59'],
    ['cron(0 24 ? * SUN *)', 'hours field "24" has 24, outside 0-23'],
    ['cron(0 5 ? * SUNDAY *)', 'day-of-week field "SUNDAY" has "SUNDAY", which is not a day-of-week value (1-7 or SUN-SAT)'],
    ['cron(0 5 ? 13 SUN *)', 'month field "13" has 13, outside 1-12 or JAN-DEC'],
    ['cron(0 5 ? * 8 *)', 'day-of-week field "8" has 8, outside 1-7 or SUN-SAT'],
    ['cron(0 5 ? * SUN 2300)', 'year field "2300" has 2300, outside 1970-2199'],
    ['cron(0 5 32 * ? *)', 'day-of-month field "32" has 32, outside 1-31'],
    ['cron(? 5 1 * ? *)', 'minutes field "?" uses "?", which only day-of-month and day-of-week take'],
    ['cron(0/0 5 ? * SUN *)', 'minutes field "0/0" has an increment below 1'],
    ['cron(0 5 ? * SUN *', 'must be cron(minutes hours day-of-month month day-of-week year) or rate(value unit)'],
    ['rate(1 hours)', 'must use the singular unit for a rate of 1: rate(1 hour)'],
    ['rate(5 minute)', 'must use the plural unit for a rate above 1: rate(5 minutes)'],
    ['rate(0 days)', 'must have a rate of at least 1'],
    ['rate(1.5 hours)', 'must be rate(<whole number> <minute(s)|hour(s)|day(s)>), for example rate(1 hour) or rate(6 hours)'],
    ['rate(2 weeks)', 'must be rate(<whole number> <minute(s)|hour(s)|day(s)>), for example rate(1 hour) or rate(6 hours)'],
  ])('refuses %s', (expression, problem) => {
    expect(scheduleExpressionProblem(expression)).toBe(problem);
  });

  it('refuses rate expressions where AWS Backup takes cron only', () => {
    expect(scheduleExpressionProblem('rate(7 days)', { allowRate: false })).toBe(
      'is a rate expression; this schedule takes cron(minutes hours day-of-month month day-of-week year) only',
    );
  });
});

describe('construct schedules (DataQuality, MetricsElt) are checked as EventBridge would', () => {
  it("accepts what aws-cdk-lib's Schedule helpers render, and tokens", () => {
    for (const schedule of [events.Schedule.rate(Duration.hours(1)), events.Schedule.rate(Duration.minutes(5)), events.Schedule.cron({ hour: '1', minute: '30' }), events.Schedule.cron({ weekDay: 'MON', hour: '2' })]) {
      expect(() => assertScheduleExpression('DataQuality (Stack/Quality)', 'schedule', schedule.expressionString)).not.toThrow();
    }
    expect(() => assertScheduleExpression('x', 'schedule', Lazy.string({ produce: () => 'nonsense' }))).not.toThrow();
  });

  it('refuses a raw expression AWS would reject, as a report', () => {
    expect(() => assertScheduleExpression('DataQuality (Stack/Quality)', 'schedule', events.Schedule.expression('cron(0 * * * *)').expressionString)).toThrow(
      'Invalid configuration in DataQuality (Stack/Quality) (nothing was synthesized):\n' +
        '  - schedule: got "cron(0 * * * *)"; has 5 fields; AWS cron takes six: minutes hours day-of-month month day-of-week year, e.g. cron(0 5 ? * SUN *)',
    );
  });
});

describe('IPv4 CIDR blocks', () => {
  it.each(['10.0.0.0/16', '192.168.4.0/24', '172.16.0.0/12', '10.10.128.0/17'])('accepts %s', (cidr) => {
    expect(ipv4CidrProblem(cidr)).toBeUndefined();
  });

  it.each([
    ['10.0.0.1/16', 'has host bits set: AWS would use the network 10.0.0.0/16 instead; write "10.0.0.0/16"'],
    ['172.16.5.0/20', 'has host bits set: AWS would use the network 172.16.0.0/20 instead; write "172.16.0.0/20"'],
    ['10.10.128.0/16', 'has host bits set: AWS would use the network 10.10.0.0/16 instead; write "10.10.0.0/16"'],
    ['256.0.0.0/16', 'must be an IPv4 CIDR block such as 10.0.0.0/16 (octets 0-255 without leading zeros, prefix 0-32)'],
    ['010.0.0.0/16', 'must be an IPv4 CIDR block such as 10.0.0.0/16 (octets 0-255 without leading zeros, prefix 0-32)'],
    ['10.0.0.0/33', 'must be an IPv4 CIDR block such as 10.0.0.0/16 (octets 0-255 without leading zeros, prefix 0-32)'],
    ['10.0.0.0', 'must be an IPv4 CIDR block such as 10.0.0.0/16'],
  ])('refuses %s', (cidr, problem) => {
    expect(ipv4CidrProblem(cidr)).toBe(problem);
  });
});
