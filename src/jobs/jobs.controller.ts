import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentProject } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { JobDto, JobListQueryDto } from './jobs.dto';
import { JobsService } from './jobs.service';

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('api/v1/jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  /** The project's jobs (re-indexing, ...), newest first. */
  @Get()
  @ApiErrors(400, 401)
  listJobs(@CurrentProject() project: string, @Query() query: JobListQueryDto): Promise<JobDto[]> {
    return this.jobs.list(project, query.kind, query.limit);
  }

  /** A job's status and progress; another project's job is a 404. */
  @Get(':id')
  @ApiErrors(401, 404)
  getJob(@CurrentProject() project: string, @Param('id') id: string): Promise<JobDto> {
    return this.jobs.get(project, id);
  }
}
