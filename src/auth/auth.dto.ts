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
   * user calls the project's APIs; admin also manages the project (training, data, deletes, its keys);
   * platform manages every project and its keys (only a platform key may create one).
   * @example "user"
   */
  @IsIn(['platform', 'admin', 'user'])
  role!: Role;

  /**
   * Whose data this key reads and writes. Later modules scope conversations, events and documents by it.
   * @example "alice"
   */
  @IsString()
  @Matches(/^[A-Za-z0-9._@-]{1,100}$/, { message: 'ownerId may use letters, digits and . _ @ - (at most 100)' })
  ownerId!: string;

  /**
   * The project the key belongs to; defaults to the project of the request (the caller's own, or X-LLMOS-Project for a platform key).
   * @example "shop-support"
   */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'project must be a project id: lowercase letters, digits and -, at most 64' })
  project?: string;
}

export class ListApiKeysQueryDto {
  /**
   * Platform keys only: list the keys of every project (all=true) instead of the request's project.
   * @example false
   */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'all must be true or false' })
  all?: boolean;
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
  /** @example "shop-support" */
  project!: string;
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
  /** The project this request acts in. @example "shop-support" */
  project!: string;
  /** The project the key belongs to (a platform key may act in others). @example "shop-support" */
  keyProject!: string;
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
