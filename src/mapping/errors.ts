/** The errors the mapping module raises: a bad target path (configuration) or a source value a mapping cannot carry. */
import { ProvisioningError } from '../errors/index';

/** A SCIM attribute path that does not parse; `position` is the 1-based character where the problem is. */
export class PathSyntaxError extends ProvisioningError {
  readonly path: string;
  readonly position: number;
  readonly problem: string;

  constructor(path: string, position: number, problem: string) {
    super({
      kind: 'configuration',
      code: 'InvalidConfiguration',
      message: `invalid SCIM path "${path}": ${problem} at position ${position}`,
    });
    this.name = 'PathSyntaxError';
    this.path = path;
    this.position = position;
    this.problem = problem;
  }
}

/**
 * A source object whose value does not fit a mapping (an object, or several values for one
 * target slot). It is the object that fails, not the app: the object goes to escrow.
 */
export function unmappableValue(message: string): ProvisioningError {
  return new ProvisioningError({ kind: 'permanent', code: 'UnprocessableEntity', message });
}
