import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, PlatformOnly, Principal } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { ProjectEntity } from './project.entity';
import { CreateProjectDto, DeletedProjectDto, DeleteProjectQueryDto, ProjectDto, UpdateProjectDto } from './projects.dto';
import { ProjectsService } from './projects.service';

const toDto = (p: ProjectEntity): ProjectDto => ({ id: p.id, name: p.name, settings: p.settings, quotas: p.quotas, createdAt: p.createdAt, updatedAt: p.updatedAt });

/** Projects: one per application sharing the server (docs/projects.md). Platform keys only. */
@ApiTags('projects')
@ApiBearerAuth()
@PlatformOnly()
@Controller('api/v1/projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Get()
  @ApiErrors(401, 403)
  async listProjects(): Promise<ProjectDto[]> {
    return (await this.projects.list()).map(toDto);
  }

  @Post()
  @ApiBody({
    type: CreateProjectDto,
    examples: {
      zh: { summary: '商城客服机器人', value: { id: 'shop-support', name: '商城客服', quotas: { requestsPerMinute: 600, generatedTokensPerDay: 200000 } } },
      en: { summary: 'An internal assistant', value: { id: 'internal-assistant', name: 'Internal assistant', settings: { locale: 'en-US' } } },
    },
  })
  @ApiErrors(400, 401, 403, 409)
  async createProject(@Body() body: CreateProjectDto): Promise<ProjectDto> {
    return toDto(await this.projects.create(body));
  }

  @Get(':id')
  @ApiErrors(401, 403, 404)
  async getProject(@Param('id') id: string): Promise<ProjectDto> {
    return toDto(await this.projects.get(id));
  }

  @Patch(':id')
  @ApiBody({
    type: UpdateProjectDto,
    examples: {
      zh: { summary: '改名并限制每分钟请求数', value: { name: '商城客服（正式）', quotas: { requestsPerMinute: 1200 } } },
      en: { summary: 'Remove the daily token quota', value: { quotas: { generatedTokensPerDay: null } } },
    },
  })
  @ApiErrors(400, 401, 403, 404)
  async updateProject(@Param('id') id: string, @Body() body: UpdateProjectDto): Promise<ProjectDto> {
    return toDto(await this.projects.update(id, body));
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Deletes a project with all its data',
    description: 'Every row of the project (training data, models, keys, usage, and the data of every other module) goes in one transaction, and its models are unloaded. Refused with 409 while the project has data unless force=true; the default project cannot be deleted. Audited in the log.',
  })
  @ApiErrors(400, 401, 403, 404, 409)
  deleteProject(@Param('id') id: string, @Query() query: DeleteProjectQueryDto, @CurrentPrincipal() p: Principal): Promise<DeletedProjectDto> {
    return this.projects.delete(id, { force: query.force, by: p });
  }
}
