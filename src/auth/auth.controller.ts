import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.decorator';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto, RevokeApiKeyQueryDto, WhoAmIDto } from './auth.dto';
import { AdminOnly, CurrentPrincipal, Principal } from './principal';

const toDto = (e: ApiKeyEntity): ApiKeyDto => ({
  id: e.id,
  name: e.name,
  keyPrefix: e.keyPrefix,
  role: e.role,
  ownerId: e.ownerId,
  createdAt: e.createdAt,
  lastUsedAt: e.lastUsedAt,
  revokedAt: e.revokedAt,
});

@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly keys: ApiKeysService) {}

  /** Who the presented key belongs to. */
  @Get('me')
  @ApiErrors(401)
  whoAmI(@CurrentPrincipal() p: Principal): WhoAmIDto {
    return { role: p.role, ownerId: p.ownerId, anonymous: p.anonymous };
  }

  /** Lists stored API keys (never their secrets). */
  @Get('keys')
  @AdminOnly()
  @ApiErrors(401, 403)
  async listApiKeys(): Promise<ApiKeyDto[]> {
    return (await this.keys.list()).map(toDto);
  }

  /** Creates an API key; the secret is in this response only. */
  @Post('keys')
  @AdminOnly()
  @ApiErrors(400, 401, 403)
  async createApiKey(@Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const { key, entity } = await this.keys.create(body);
    return { ...toDto(entity), key };
  }

  @Delete('keys/:id')
  @HttpCode(204)
  @AdminOnly()
  @ApiOperation({
    summary: 'Revokes an API key at once',
    description: 'Refused with 409 for the last active admin key (or the last key of all) while API_KEYS is empty, since the server would lose its admin or fall back to keyless mode; pass force=true to revoke it anyway.',
  })
  @ApiErrors(400, 401, 403, 404, 409)
  async revokeApiKey(@Param('id', new ParseUUIDPipe()) id: string, @Query() query: RevokeApiKeyQueryDto): Promise<void> {
    await this.keys.revoke(id, { force: query.force });
  }
}
