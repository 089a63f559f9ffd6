import { parsePullArgs } from './cli-args';

describe('parsePullArgs', () => {
  it('reads the repository and every option, in both --flag value and --flag=value forms', () => {
    expect(parsePullArgs(['Xenova/gpt2', '--revision', 'v1', '--quantized', '--name=gpt2-q8', '--out', '/m', '--task', 'text-generation', '--force'])).toEqual({
      repo: 'Xenova/gpt2',
      revision: 'v1',
      quantized: true,
      name: 'gpt2-q8',
      out: '/m',
      task: 'text-generation',
      force: true,
      help: false,
    });
    expect(parsePullArgs(['--dtype=q4', 'onnx-community/Qwen2.5-0.5B-Instruct'])).toMatchObject({ dtype: 'q4', repo: 'onnx-community/Qwen2.5-0.5B-Instruct' });
    expect(parsePullArgs(['-h'])).toMatchObject({ help: true, repo: undefined });
  });

  it.each([
    [['a/b', '--name'], /--name needs a value/],
    [['a/b', '--name', '--force'], /--name needs a value/],
    [['a/b', '--dtype', 'fp64'], /--dtype must be one of fp32, fp16, q8/],
    [['a/b', '--quantized', '--dtype', 'q4'], /exclude each other/],
    [['a/b', '--quantized=yes'], /takes no value/],
    [['a/b', '--bogus'], /unknown option --bogus/],
    [['a/b', 'c/d'], /one repository at a time/],
  ])('%j is refused', (argv, message) => {
    expect(() => parsePullArgs(argv)).toThrow(message);
  });
});
