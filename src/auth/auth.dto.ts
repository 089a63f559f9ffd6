import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { Role } from './principal';

export class CreateApiKeyDto {
  /**
   * A label for people: where the key is used.
   * @example "mobile app (production)"
   */
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  /**
   * admin may train models, load/unload them and delete data; user may call everything else.
   * @example "user"
   */
  @IsIn(['admin', 'user'])
  role!: Role;

  /**
   * Whose data this key reads and writes. Later modules scope conversations, events and documents by it.
   * @example "alice"
   */
  @IsString()
  @Matches(/^[A-Za-z0-9._@-]{1,100}$/, { message: 'ownerId may use letters, digits and . _ @ - (at most 100)' })
  ownerId!: string;
}

export class ApiKeyDto {
  /** @example "7b0f7a4e-54a1-4c1f-a0a9-3c3b1d8c2a11" */
  id!: string;
  /** @example "mobile app (production)" */
  name!: string;
  /** The first characters of the key, to recognise it. @example "llmos_Q2xhd" */
  keyPrefix!: string;
  /** @example "user" */
  role!: Role;
  /** @example "alice" */
  ownerId!: string;
  createdAt!: Date;
  lastUsedAt!: Date | null;
  revokedAt!: Date | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  /** The secret. Shown once, never stored: keep it now. @example "llmos_Q2xhdWRlIGlzIG5vdCBhIGtleSBidXQgYW4gZXhhbXBsZQ" */
  key!: string;
}

export class WhoAmIDto {
  /** @example "user" */
  role!: Role;
  /** @example "alice" */
  ownerId!: string;
  /** true when the server has no keys configured and you were let in without one */
  anonymous!: boolean;
}

export class RevokeApiKeyQueryDto {
  /**
   * Revoke even the last admin key (or the last key of all). Without API_KEYS the server
   * then runs keyless: every route open, admin routes served to local callers only.
   * @example false
   */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'force must be true or false' })
  force?: boolean;
}
