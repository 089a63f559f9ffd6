export * from './errors';
export * from './hub-client';
export * from './select-files';
export * from './infer-task';
export * from './download-file';
export * from './progress';
export * from './pull-model';
export * from './cli-args';
