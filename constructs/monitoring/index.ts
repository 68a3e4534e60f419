export * from './alarm-kinds';
export * from './alarm-rollup';
export * from './dashboard-pages';
export * from './dataset-monitoring';
export * from './environment-rollup';
export * from './platform-monitoring';
export { METRICS_PER_MATH_ALARM } from './dataset-alarms';
export { ALARM_DESCRIPTION_MAX_LENGTH, type PlatformAlarm } from './watched-alarm';
