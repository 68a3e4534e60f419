export * from './daily-pipeline';
export * from './definition';
