import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.decorator';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto, ListApiKeysQueryDto, RevokeApiKeyQueryDto, WhoAmIDto } from './auth.dto';
import { AdminOnly, CurrentPrincipal, Principal } from './principal';

const toDto = (e: ApiKeyEntity): ApiKeyDto => ({
  id: e.id,
  name: e.name,
  keyPrefix: e.keyPrefix,
  role: e.role,
  ownerId: e.ownerId,
  project: e.projectId,
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
    return { role: p.role, ownerId: p.ownerId, project: p.projectId, keyProject: p.keyProjectId, anonymous: p.anonymous };
  }

  /** Lists the stored API keys of the request's project (never their secrets); a platform key may list every project's with all=true. */
  @Get('keys')
  @AdminOnly()
  @ApiErrors(400, 401, 403)
  async listApiKeys(@Query() query: ListApiKeysQueryDto, @CurrentPrincipal() p: Principal): Promise<ApiKeyDto[]> {
    return (await this.keys.list(query.all && p.role === 'platform' ? undefined : p.projectId)).map(toDto);
  }

  /** Creates an API key in the request's project (or `project`, platform keys); the secret is in this response only. */
  @Post('keys')
  @AdminOnly()
  @ApiBody({
    type: CreateApiKeyDto,
    examples: {
      zh: { summary: '商城小程序的用户密钥', value: { name: '商城小程序（正式环境）', role: 'user', ownerId: 'shop-app', project: 'shop-support' } },
      en: { summary: 'An admin key for the project team', value: { name: 'support team', role: 'admin', ownerId: 'support-team' } },
    },
  })
  @ApiErrors(400, 401, 403, 404)
  async createApiKey(@Body() body: CreateApiKeyDto, @CurrentPrincipal() p: Principal): Promise<CreatedApiKeyDto> {
    const { key, entity } = await this.keys.create({ name: body.name, role: body.role, ownerId: body.ownerId, projectId: body.project ?? p.projectId }, p);
    return { ...toDto(entity), key };
  }

  @Delete('keys/:id')
  @HttpCode(204)
  @AdminOnly()
  @ApiOperation({
    summary: 'Revokes an API key at once',
    description: 'A project admin revokes keys of its own project (another project\'s key is a 404); a platform key any key. Refused with 409 for the last active admin key (or the last key of all) while API_KEYS is empty, since the server would lose its admin or fall back to keyless mode; pass force=true to revoke it anyway.',
  })
  @ApiErrors(400, 401, 403, 404, 409)
  async revokeApiKey(@Param('id', new ParseUUIDPipe()) id: string, @Query() query: RevokeApiKeyQueryDto, @CurrentPrincipal() p: Principal): Promise<void> {
    await this.keys.revoke(id, { force: query.force, projectId: p.role === 'platform' ? undefined : p.projectId });
  }
}
