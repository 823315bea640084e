// The exception and warning classes of Python's builtins (and the few non-builtin ones the modelled modules
// raise), with their bases, so that `except LookupError:` catches a KeyError the way CPython does.
import type { ClassV } from './values';

// ---- exceptions -------------------------------------------------------------------------------------

// every builtin exception and warning class of CPython 3.12 with its base (aliases point at their target's base)
export const EXC_PARENT: Record<string, string | null> = {
  BaseException: null, BaseExceptionGroup: 'BaseException', GeneratorExit: 'BaseException', KeyboardInterrupt: 'BaseException',
  SystemExit: 'BaseException', Exception: 'BaseException', ExceptionGroup: 'BaseExceptionGroup',
  ArithmeticError: 'Exception', FloatingPointError: 'ArithmeticError', OverflowError: 'ArithmeticError', ZeroDivisionError: 'ArithmeticError',
  AssertionError: 'Exception', AttributeError: 'Exception', BufferError: 'Exception', EOFError: 'Exception',
  ImportError: 'Exception', ModuleNotFoundError: 'ImportError', LookupError: 'Exception', IndexError: 'LookupError', KeyError: 'LookupError',
  MemoryError: 'Exception', NameError: 'Exception', UnboundLocalError: 'NameError',
  OSError: 'Exception', IOError: 'Exception', EnvironmentError: 'Exception', BlockingIOError: 'OSError', ChildProcessError: 'OSError',
  ConnectionError: 'OSError', BrokenPipeError: 'ConnectionError', ConnectionAbortedError: 'ConnectionError',
  ConnectionRefusedError: 'ConnectionError', ConnectionResetError: 'ConnectionError', FileExistsError: 'OSError',
  FileNotFoundError: 'OSError', InterruptedError: 'OSError', IsADirectoryError: 'OSError', NotADirectoryError: 'OSError',
  PermissionError: 'OSError', ProcessLookupError: 'OSError', TimeoutError: 'OSError',
  ReferenceError: 'Exception', RuntimeError: 'Exception', NotImplementedError: 'RuntimeError', RecursionError: 'RuntimeError',
  StopAsyncIteration: 'Exception', StopIteration: 'Exception', SyntaxError: 'Exception', IndentationError: 'SyntaxError',
  TabError: 'IndentationError', SystemError: 'Exception', TypeError: 'Exception', ValueError: 'Exception', UnicodeError: 'ValueError',
  UnicodeDecodeError: 'UnicodeError', UnicodeEncodeError: 'UnicodeError', UnicodeTranslateError: 'UnicodeError',
  Warning: 'Exception', BytesWarning: 'Warning', DeprecationWarning: 'Warning', EncodingWarning: 'Warning', FutureWarning: 'Warning',
  ImportWarning: 'Warning', PendingDeprecationWarning: 'Warning', ResourceWarning: 'Warning', RuntimeWarning: 'Warning',
  SyntaxWarning: 'Warning', UnicodeWarning: 'Warning', UserWarning: 'Warning',
  // not builtins, but raised by the modelled modules
  ImproperlyConfigured: 'Exception', PackageNotFoundError: 'ModuleNotFoundError', YAMLError: 'Exception',
  'configparser.Error': 'Exception', NoSectionError: 'configparser.Error', NoOptionError: 'configparser.Error',
  DuplicateSectionError: 'configparser.Error', DuplicateOptionError: 'configparser.Error', InterpolationError: 'configparser.Error',
  ParsingError: 'configparser.Error', MissingSectionHeaderError: 'ParsingError',
};
export const NOT_BUILTIN = new Set(['ImproperlyConfigured', 'PackageNotFoundError', 'YAMLError', 'configparser.Error', 'NoSectionError', 'NoOptionError',
  'DuplicateSectionError', 'DuplicateOptionError', 'InterpolationError', 'ParsingError', 'MissingSectionHeaderError']);

const EXC_CLASSES = new Map<string, ClassV>();

/** Python 3's other names of OSError (`except IOError:` catches FileNotFoundError) */
const EXC_ALIAS: Record<string, string> = { IOError: 'OSError', EnvironmentError: 'OSError' };

export function exceptionClass(name: string): ClassV {
  name = EXC_ALIAS[name] ?? name;
  let c = EXC_CLASSES.get(name);
  if (c) return c;
  const parent = name in EXC_PARENT ? EXC_PARENT[name] : 'Exception';
  c = { kind: 'class', name, module: 'builtins', def: null, ns: new Map(), bases: parent ? [exceptionClass(parent)] : [], globals: null, special: 'exception' };
  EXC_CLASSES.set(name, c);
  return c;
}

export function isExceptionSubclass(name: string, ancestor: string): boolean {
  name = EXC_ALIAS[name] ?? name;
  ancestor = EXC_ALIAS[ancestor] ?? ancestor;
  for (let n: string | null | undefined = name, i = 0; n && i < 20; n = n in EXC_PARENT ? EXC_PARENT[n] : 'Exception', i++) {
    if (n === ancestor) return true;
    if (n === 'BaseException') return false;
  }
  return false;
}
