import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, Max, Min, ValidationArguments, ValidatorConstraint, ValidatorConstraintInterface, Validate } from 'class-validator';
import { THRESHOLD_OBJECTIVES, ThresholdObjective, ThresholdSetting } from './training/calibration';

@ValidatorConstraint({ name: 'thresholdSetting' })
class ThresholdSettingConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return value === 'auto' || value === 'off' || (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1);
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be "auto", "off" or a number in [0, 1]`;
  }
}

/**
 * Body of POST /api/v1/nlu/train (every field optional; `{}` or no body trains with the
 * defaults). The training pipeline hands threshold, objective, seed and validationShare to
 * the intent trainer as the IntentTrainerOptions of the same names (see docs/nlu.md,
 * "Training options").
 */
export class TrainOptionsDto {
  /** auto: calibrated on held-out predictions by `objective`; off: 0 (only an explicit out_of_scope prediction is out of scope); a number: used as given. */
  @IsOptional()
  @Validate(ThresholdSettingConstraint)
  @ApiPropertyOptional({
    oneOf: [{ type: 'string', enum: ['auto', 'off'] }, { type: 'number', minimum: 0, maximum: 1 }],
    default: 'auto',
    example: 'auto',
    description: 'Out-of-scope threshold: "auto" (calibrated on held-out predictions), "off" (0) or a fixed number in [0, 1].',
  })
  threshold?: ThresholdSetting;

  /**
   * What "auto" optimizes when the data has out-of-scope examples (an `out_of_scope` intent):
   * balanced = ½ in-scope accuracy + ½ out-of-scope recall; accuracy = overall accuracy;
   * in_scope = reject at most 0.25% of correct in-scope predictions. Without out-of-scope
   * examples every objective uses the in_scope rule.
   */
  @IsOptional()
  @IsIn(THRESHOLD_OBJECTIVES)
  @ApiPropertyOptional({ enum: THRESHOLD_OBJECTIVES, default: 'balanced', example: 'balanced' })
  objective?: ThresholdObjective;

  /** Seed of every random choice in training (splits, initial weights, shuffles, dropout): the same rows and seed give the same model, byte for byte. @example 42 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2147483647)
  @ApiPropertyOptional({ default: 42, example: 42 })
  seed?: number;

  /** Share of examples each ensemble member holds out for early stopping and calibration; the data is dealt into round(1/share) folds. @example 0.2 */
  @IsOptional()
  @IsNumber()
  @Min(0.05)
  @Max(0.5)
  @ApiPropertyOptional({ default: 0.2, minimum: 0.05, maximum: 0.5, example: 0.2 })
  validationShare?: number;

  /**
   * Serve the new version when the run finishes (default true). Either way an explicit
   * POST /nlu/models/{version}/activate made after this run started wins: the run then ends
   * `ready` but not active, and its job's `note` says why.
   */
  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({ default: true, example: true })
  activate?: boolean;
}
